# The framework's cooperative mode through simple_consumer: two
# sub-consumers (subconsumer_name) share one consumer's batches; one is
# killed with -9 while it holds a batch, and the other takes that batch
# over after subconsumer_timeout.  Every row event is applied exactly once,
# each sub-consumer applied some.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Consumer qw(conninfo);
use SkyTools::Pgqd;
use SkyTools::Scripts;
use SkyTools::Wait;

my $prog = "$ENV{SKYTOOLS_TOP}/bin/scripts/simple_consumer";
my $dir = PostgreSQL::Test::Utils::tempdir;
my $node = PostgreSQL::Test::Cluster->new('coop');
$node->init;
$node->start;
sub sql { return $node->safe_psql('postgres', $_[0]); }
sql(q{
create extension pgq;
create extension pgq_coop;
select pgq.create_queue('q');
create table src_t (id int primary key);
create trigger src_t_q after insert on src_t
    for each row execute procedure pgq.logutriga('q');
create table got (id int, sub text, ev_id bigint);
-- each statement waits a little: batches take a while
create function slow(int) returns int language sql as 'select $1 from pg_sleep(0.002)';
});
mkdir "$dir/pgqd";
my $pgqd = start_pgqd($node, "$dir/pgqd", "ticker_period = 0.2\n");

my %ini;
for my $sub ('s1', 's2')
{
	$ini{$sub} = script_ini("$dir/$sub.ini", 'simple_consumer3',
		src_db => conninfo($node) . " application_name=$sub", queue_name => 'q',
		consumer_name => 'coopc', subconsumer_name => $sub,
		subconsumer_timeout => '1', loop_delay => '0.1', exception_sleep => '0.3',
		dst_query => "insert into got values (slow(%%(id)s::int), '$sub', %%(pgq.ev_id)s)");
	my ($rc, $out, $err) = run_script($prog, $ini{$sub}, '--register');
	is($rc, 0, "$sub registered") or diag($err);
}
for my $b (0 .. 19)
{
	sql('insert into src_t select generate_series(' . ($b * 200 + 1) . ', ' . ($b * 200 + 200) . ')');
}
my %h = map { $_ => start_script($dir, $_, $prog, $ini{$_}) } ('s1', 's2');

# s1 killed while its batch's transaction is open (after one committed)
ok( wait_until('s1 in a batch', sub {
			sql(q{select exists (select 1 from got where sub = 's1')
                      and exists (select 1 from pg_stat_activity
                                   where application_name = 's1' and backend_xid is not null)}) eq 't' }),
	's1 applied a batch and is applying another');
kill 'KILL', script_pid($h{s1});
$h{s1}->finish;
ok( wait_until('every row', sub { sql('select count(*) from got') == 4000 }),
	's2 goes on, and takes over s1\'s batch');
kill 'INT', script_pid($h{s2});
$h{s2}->finish;
is(sql('select count(*), count(distinct id), count(distinct ev_id) from got'), '4000|4000|4000',
	'every row once');
is(sql(q{select count(distinct sub) from got}), '2', 'both sub-consumers applied some');
like(slurp_file("$dir/s2.err"), qr/\{count: \d+, duration/, 's2 logged its batches');

# a sub-consumer applies into the queue's database only
my ($rc, $out, $err) = run_script($prog, $ini{s2}, '--set', 'dst_db=' . conninfo($node));
is($rc, 1, 'subconsumer_name with dst_db: exit 1');
like($err, qr/s2\.ini: subconsumer_name with dst_db: sub-consumers apply into the queue's database only/,
	'and said why');

stop_pgqd($pgqd);
$node->stop;
done_testing();
