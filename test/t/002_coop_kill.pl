# Four pgq_coop sub-consumers (examples/simple_consumer -s) share one
# consumer under a steady producer and pgqd.  One is killed with -9 while
# it holds a batch; after the dead interval another sub-consumer takes
# that batch over.  At the end every produced event was stored exactly
# once (checked against the producer's own table).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use Time::HiRes qw(time usleep);
use SkyTools::Wait;
use SkyTools::Consumer;
use SkyTools::Pgqd;

my $N = 2000;
my $DEAD = 5;    # dead interval, seconds: well above any batch's time

my $node = PostgreSQL::Test::Cluster->new('coop');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;
my $db = conninfo($node);

$node->safe_psql('postgres', q{
create extension pgq_coop cascade;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '20');
select pgq.set_queue_config('q', 'ticker_max_lag', '0.2');
create table produced (id int primary key);
-- no key: an event stored twice would show
create table got (ev_id bigint, ev_type text, ev_data text);
});
my $pgqd = start_pgqd($node, $dir, "ticker_period = 0.1\n");

# the sub-consumers register before anything is produced
my %subs;
sub start_sub
{
	my ($name) = @_;
	$subs{$name} = start_consumer($dir, $name, '-s', $name, '-t', $DEAD, '-q',
		'-w', '20', '-l', '1', '-i', 'got', $db, 'q', 'cmain');
}
start_sub("s$_") for 1 .. 4;
$node->poll_query_until('postgres',
	"select count(*) = 5 from pgq.get_consumer_info('q')")
  or die 'sub-consumers did not register';

my $producer = IPC::Run::start(
	[
		'psql', '-X', '-d', $node->connstr('postgres'), '-c', qq{
do \$\$ begin
    for i in 1..$N loop
        insert into produced values (i);
        perform pgq.insert_event('q', 'ev', i::text);
        commit;
        if i % 10 = 0 then perform pg_sleep(0.01); end if;
    end loop;
end \$\$}
	],
	'>', "$dir/producer.out", '2>', "$dir/producer.err");

# kill s2 while it holds a batch and is inside it: the batch is still the
# same one a moment after it was seen
my ($batch, $taken_at);
wait_until(
	's2 holding a batch',
	sub {
		my $b = $node->safe_psql('postgres', q{
select s.sub_batch || ' ' || extract(epoch from s.sub_active)
  from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
 where c.co_name = 'cmain.s2' and s.sub_batch is not null});
		return 0 if $b eq '';
		my ($id, $at) = split / /, $b;
		usleep(100_000);
		return 0
		  if $node->safe_psql('postgres', "select count(*) from pgq.subscription where sub_batch = $id") != 1;
		kill 'KILL', consumer_pid($subs{s2});
		($batch, $taken_at) = ($id, $at);
		return 1;
	});
ok(defined $batch, "s2 killed with -9 holding batch $batch");
$subs{s2}->finish;

# another sub-consumer takes the batch over once s2 is silent long enough
$node->poll_query_until('postgres', qq{
select not exists (select 1 from pgq.subscription where sub_batch = $batch)
   and not exists (select 1 from pgq.subscription s join pgq.consumer c
                    on c.co_id = s.sub_consumer where c.co_name = 'cmain.s2')})
  or die "batch $batch not taken over";
my $gap = time - $taken_at;
cmp_ok($gap, '>=', $DEAD, sprintf('batch taken over after the dead interval (%.1fs)', $gap));

$producer->finish;
is($producer->result(0), 0, 'producer done') or diag(slurp_file("$dir/producer.err"));
$node->poll_query_until('postgres', "select count(distinct ev_data) = $N from got")
  or diag($node->safe_psql('postgres', 'select count(*), count(distinct ev_data) from got'));

for my $s (qw(s1 s3 s4))
{
	kill 'TERM', consumer_pid($subs{$s});
	$subs{$s}->finish;
	is($subs{$s}->result(0), 0, "$s stopped cleanly");
	like(slurp_file("$dir/$s.err"), qr/^[1-9]\d* batches, [1-9]\d* events, 0 errors$/m,
		"$s processed batches of its own");
}
stop_pgqd($pgqd);

is($node->safe_psql('postgres', 'select count(*) from got'), $N, 'no event stored twice');
is($node->safe_psql('postgres', q{
select count(*) from produced p
 where not exists (select 1 from got g where g.ev_data = p.id::text)}), 0,
	'every produced event stored');
is($node->safe_psql('postgres', q{
select count(*) from pgq.subscription where sub_batch is not null}), 0,
	'no batch left open');

$node->stop;
done_testing();
