# simple_consumer runs dst_query for every row event of a queue fed by
# pgq.logutriga, filled from the row's columns and the event's fields:
# into the queue's own database (in the batch's transaction), into another
# cluster with pgq_ext (killed with -9 eight times on the way, at random
# moments after it connects or after it applied something), and into a
# database without pgq_ext (a warning).  Each target ends with every row
# exactly once.  A statement that fails, and a dst_query naming a column
# the events do not have, stop the batch with a clear error and lose
# nothing; consumer_filter keeps one table's events.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Consumer qw(conninfo);
use SkyTools::Pgqd;
use SkyTools::Scripts;
use SkyTools::Wait;

my $N = 16_000;
my $prog = "$ENV{SKYTOOLS_TOP}/bin/scripts/simple_consumer";
my $dir = PostgreSQL::Test::Utils::tempdir;
srand(11);

my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->start;
my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;

$src->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
create table src_t (id int primary key, v text);
create table other_t (id int primary key, v text);
create trigger src_t_q after insert or update on src_t
    for each row execute procedure pgq.logutriga('q');
create trigger other_t_q after insert on other_t
    for each row execute procedure pgq.logutriga('q');
create table got (id int, v text, ev_id bigint, ev_type text, tbl text);
});
$dst->safe_psql('postgres', q{
create extension pgq_ext cascade;
create table got (id int, v text, ev_id bigint, ev_type text, tbl text);
create database plain;
});
$dst->safe_psql('plain',
	'create table got (id int, v text, ev_id bigint, ev_type text, tbl text)');
mkdir "$dir/pgqd";
my $pgqd = start_pgqd($src, "$dir/pgqd", "ticker_period = 0.2\n");

# upstream's ini dialect: %% is a '%' (the Python driver's placeholder)
my $query = 'insert into got values (%%(id)s, %%(v)s, %%(pgq.ev_id)s, %%(pgq.ev_type)s, %%(pgq.ev_extra1)s)';
my ($sdb, $ddb) = (conninfo($src), conninfo($dst));
my %ini;
$ini{local} = script_ini("$dir/local.ini", 'simple_consumer3',
	src_db => $sdb, queue_name => 'q', dst_query => $query,
	consumer_filter => 'public.src_t', loop_delay => '0.1');
$ini{remote} = script_ini("$dir/remote.ini", 'simple_consumer3',
	src_db => $sdb, dst_db => $ddb, pgq_queue_name => 'q',
	dst_query => $query, consumer_filter => 'public.src_t',
	loop_delay => '0.1', exception_sleep => '0.3');
$ini{plain} = script_ini("$dir/plain.ini", 'simple_consumer',
	src_db => $sdb, dst_db => conninfo($dst, 'plain'), queue_name => 'q',
	dst_query => $query, consumer_filter => 'public.src_t',
	loop_delay => '0.1');
for my $c (sort keys %ini)
{
	my ($rc, $out, $err) = run_script($prog, $ini{$c}, '--register');
	is($rc, 0, "$c: --register") or diag($err);
}

# the rows: inserts in transactions of 200 (an eighth of them before each
# run of the killed consumer), some rows updated, some events of another
# table the filter drops
sub load
{
	my ($part) = @_;
	for my $b ($part * $N / 1600 .. ($part + 1) * $N / 1600 - 1)
	{
		my ($lo, $hi) = ($b * 200 + 1, $b * 200 + 200);
		$src->safe_psql('postgres', qq{
insert into src_t select i, 'v''' || i || E'\\n' from generate_series($lo, $hi) i;
insert into other_t values ($b, 'other');
});
	}
}
my %h;
$h{local} = start_script($dir, 'local', $prog, $ini{local});
$h{plain} = start_script($dir, 'plain', $prog, $ini{plain});
my $before;
kill_runs(8,
	sub {
		my ($i) = @_;
		load($i - 1);
		$before = $dst->safe_psql('postgres', 'select count(*) from got');
		return start_script($dir, "remote$i", $prog, $ini{remote},
			'--set', "dst_db=$ddb application_name=remote$i");
	},
	sub {
		my ($i) = @_;
		return $i % 2
		  ? $dst->safe_psql('postgres', qq{
select count(*) > 0 from pg_stat_activity
 where application_name = 'remote$i'}) eq 't'
		  : $dst->safe_psql('postgres', 'select count(*) from got') > $before;
	});
$src->safe_psql('postgres', "update src_t set v = 'updated' where id % 1000 = 0");
$h{remote} = start_script($dir, 'remote', $prog, $ini{remote});

my $total = $N + $N / 1000;    # the inserts and the updates
for my $c (sort keys %h)
{
	ok( wait_until("$c to finish",
			sub {
				$src->safe_psql('postgres', qq{
select pending_events = 0 and current_batch is null
  from pgq.get_consumer_info('q', '$c')}) eq 't';
			}),
		"$c: the queue is drained");
	kill 'INT', script_pid($h{$c});
	$h{$c}->finish;
}
my $check = qq{
select count(*), count(distinct ev_id),
       count(*) filter (where ev_type = 'I:id'),
       count(*) filter (where ev_type = 'U:id' and v = 'updated'),
       count(*) filter (where tbl <> 'public.src_t'),
       count(*) filter (where ev_type = 'I:id' and v <> 'v''' || id || E'\\n')
  from got};
my $want = "$total|$total|$N|" . ($N / 1000) . '|0|0';
is($src->safe_psql('postgres', $check), $want,
	'local: every row event exactly once, values and event fields right');
is($dst->safe_psql('postgres', $check), $want,
	'remote with pgq_ext, killed eight times: every row event exactly once');
is($dst->safe_psql('plain', $check), $want,
	'remote without pgq_ext: every row event');
like(slurp_file("$dir/plain.err"), qr/dst_db has no pgq_ext: a batch is applied again if/,
	'without pgq_ext: warned');

# a failing statement: the batch stays, and goes through once fixed
$src->safe_psql('postgres', 'insert into src_t values (-1, null)');
$dst->safe_psql('postgres', 'alter table got add constraint v_set check (v is not null)');
my $h = start_script($dir, 'failing', $prog, $ini{remote});
ok(wait_for_log("$dir/failing.err", qr/dst_query failed on event \d+: ERROR:  new row .* violates check constraint "v_set"/),
	'a failing statement: a clear error');
$dst->safe_psql('postgres', 'alter table got drop constraint v_set');
ok( wait_until('the row after the fix',
		sub { $dst->safe_psql('postgres', 'select count(*) from got where id = -1') eq '1' }),
	'the batch goes through once the statement can succeed');
kill 'INT', script_pid($h);
$h->finish;

# a dst_query naming a column the events do not have
my ($rc, $out, $err);
$src->safe_psql('postgres', 'insert into src_t values (-2, null)');
$h = start_script($dir, 'nocol', $prog, $ini{remote},
	'--set', 'dst_query=insert into got (id) values (%%(nope)s)');
ok(wait_for_log("$dir/nocol.err", qr/dst_query refers to %\(nope\)s: event \d+ \(I:id\) has no such column/),
	'a missing column: a clear error');
kill 'KILL', script_pid($h);
$h->finish;
is($dst->safe_psql('postgres', 'select count(*) from got where id = -2'), '0',
	'nothing applied from the failed batch');

# dst_query that is not valid placeholder syntax: refused at start
($rc, $out, $err) = run_script($prog, $ini{remote}, '--set', 'dst_query=select 5 %% 3');
is($rc, 1, 'a bare % in dst_query: exit 1');
like($err, qr{remote\.ini: dst_query: at offset 9: a '%' that is not}, 'the error names the file and the place');

stop_pgqd($pgqd);
$src->stop;
$dst->stop;
done_testing();
