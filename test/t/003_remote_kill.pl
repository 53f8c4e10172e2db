# A remote consumer (examples/simple_consumer -r) applies batches from a
# queue cluster into a second cluster, recording them there with pgq_ext.
# It is killed with -9 at random points twenty times, and once the queue's
# finish_batch fails right after the target committed (the window between
# the two commits).  The target holds every event exactly once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use SkyTools::Consumer;

my $BATCHES = 40;
my $PER = 100;
my $N = $BATCHES * $PER;

my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->start;
my $dst = PostgreSQL::Test::Cluster->new('target');
$dst->init;
$dst->start;
my $dir = PostgreSQL::Test::Utils::tempdir;
my ($sdb, $ddb) = (conninfo($src), conninfo($dst));

$src->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '0');
select pgq.set_queue_config('q', 'ticker_max_lag', '0');
select pgq.register_consumer('q', 'rc');
-- the fifth finish_batch fails: the target has committed, the queue not
create sequence finish_attempts;
create function fail_fifth_finish() returns trigger language plpgsql as $$
begin
    if old.sub_batch is not null and new.sub_batch is null
       and nextval('public.finish_attempts') = 5 then
        raise exception 'injected failure between the two commits';
    end if;
    return new;
end $$;
create trigger fail_fifth_finish before update on pgq.subscription
    for each row execute function fail_fifth_finish();
});
$dst->safe_psql('postgres', q{
create extension pgq_ext cascade;
create table got (ev_id bigint, ev_type text, ev_data text);
});

for my $b (1 .. $BATCHES)
{
	$src->safe_psql('postgres', qq{
select pgq.insert_event('q', 'ev', i::text)
  from generate_series(($b - 1) * $PER + 1, $b * $PER) i});
	$src->safe_psql('postgres', "select pgq.ticker('q')");
}

# twenty runs killed at points that cycle through the stages of a batch
# (2 ms per event: 0.2 s per batch), each reached by a condition: the
# batch's transaction open on the queue, events written but not committed
# in the target, a batch committed in the target during this run.  A short
# random delay after the condition moves the kill around within the stage.
srand(42);
my $errs = '';
my $got = q{select count(*) from got};
my @stages = (
	[ 'the batch open on the queue', $src,
	  q{select count(*) > 0 from pg_stat_activity where application_name = '%s' and xact_start is not null} ],
	[ 'events written in the target', $dst,
	  q{select count(*) > 0 from pg_stat_activity where application_name = '%s' and backend_xid is not null} ],
	[ 'a batch committed in the target', $dst, q{select count(*) > %d from got} ],
);
for my $i (1 .. 20)
{
	my $app = "run$i";
	my $before = $dst->safe_psql('postgres', $got);
	my $h = start_consumer($dir, $app, '-q', '-w', '2', '-l', '0.2',
		'-r', "$ddb application_name=$app", '-i', 'got', "$sdb application_name=$app", 'q', 'rc');
	my ($what, $node, $cond) = @{ $stages[ $i % 3 ] };
	my $sql = sprintf($cond, $i % 3 == 2 ? $before : $app);
	$node->poll_query_until('postgres', $sql) or die "run $i: never reached: $what";
	usleep(int(rand(50_000)));
	kill 'KILL', consumer_pid($h);
	$h->finish;
	$errs .= slurp_file("$dir/$app.err");
	# the killed run's sessions are gone before the next starts
	for my $n ($src, $dst)
	{
		$n->poll_query_until('postgres',
			"select count(*) = 0 from pg_stat_activity where application_name = '$app'")
		  or die "run $i: sessions left behind";
	}
}
my $mid = $dst->safe_psql('postgres', 'select count(*) from got');
ok($mid > 0 && $mid < $N, "killed before the end ($mid of $N applied)");

# the last run drains the queue
my ($rc, $out, $err) = run_consumer('-1', '-q', '-r', $ddb, '-i', 'got', $sdb, 'q', 'rc');
is($rc, 0, 'final run') or diag($err);
$errs .= $err;

like($errs, qr/injected failure between the two commits/, 'the queue commit failed once');
like($errs, qr/batch \d+ already applied in the target, finishing it/,
	'the batch applied before the failure was skipped, not applied again');
is($dst->safe_psql('postgres', 'select count(*), count(distinct ev_data) from got'),
	"$N|$N", 'every event exactly once in the target');
is($dst->safe_psql('postgres', q{
select count(*) from generate_series(1, } . $N . q{) i
 where not exists (select 1 from got where ev_data = i::text)}), 0, 'none missing');
is($src->safe_psql('postgres', q{
select pending_events = 0 and current_batch is null
  from pgq.get_consumer_info('q', 'rc')}), 't', 'queue drained');
is($dst->safe_psql('postgres',
	"select last_batch_id > 0 from pgq_ext.completed_batch where consumer_id = 'rc'"),
	't', 'the target records the last batch');

$src->stop;
$dst->stop;
done_testing();
