# queue_mover moves 100k events of a queue into a queue of another
# cluster, and queue_splitter splits 100k events into the queues their
# ev_extra1 names, each killed with kill -9 twelve times on the way (half
# of the kills while a batch is being written in the target, half once
# some batch has committed there, a random moment later): the targets hold
# every event exactly once, with its type, extras and time.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Consumer qw(conninfo);
use SkyTools::Scripts;
use SkyTools::Wait;

my $N = 100_000;
my $bin = "$ENV{SKYTOOLS_TOP}/bin/scripts";
my $dir = PostgreSQL::Test::Utils::tempdir;
srand(7);

my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->start;
my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;

$src->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '0');
select pgq.set_queue_config('q', 'ticker_max_lag', '0');
});
$dst->safe_psql('postgres', q{
create extension pgq;
create extension pgq_ext;
select pgq.create_queue('moved');
select pgq.create_queue('qa');
select pgq.create_queue('qb');
});

my ($sdb, $ddb) = (conninfo($src), conninfo($dst));
my %ini = (
	mover => script_ini("$dir/mover.ini", 'queue_mover3',
		src_db => $sdb, dst_db => $ddb, pgq_queue_name => 'q',
		dst_queue_name => 'moved', loop_delay => '0.1',
		exception_sleep => '0.5', logfile => "$dir/mover.log"),
	splitter => script_ini("$dir/splitter.ini", 'queue_splitter3',
		src_db => $sdb, dst_db => $ddb, queue_name => 'q',
		loop_delay => '0.1', exception_sleep => '0.5'),
);
my %prog = (mover => "$bin/queue_mover", splitter => "$bin/queue_splitter");
# registered before the events come (a consumer sees what follows it)
for my $job ('mover', 'splitter')
{
	my ($rc, $out, $err) = run_script($prog{$job}, $ini{$job}, '--register');
	is($rc, 0, "$job --register") or diag($err);
	like($err, qr/$job registered on the queue q/, "$job: registered");
	($rc, $out, $err) = run_script($prog{$job}, $ini{$job}, '--register');
	like($err, qr/nothing to do/, "$job: --register again does nothing");
}

# 100 batches of 1000; every third event for qb, the rest for qa
$src->safe_psql('postgres', qq{
do \$\$
begin
    for b in 0 .. 99 loop
        perform pgq.insert_event('q', 'ev' || i % 7, i::text,
                                 case when i % 3 = 0 then 'qb' else 'qa' end,
                                 'x2', null, 'x4')
           from generate_series(b * 1000 + 1, b * 1000 + 1000) i;
        commit;
        perform pgq.ticker('q');
        commit;
    end loop;
end \$\$;
});

sub moved
{
	my ($job) = @_;
	return $job eq 'mover'
	  ? (split /\|/, event_count($dst, 'moved'))[0]
	  : (split /\|/, event_count($dst, 'qa'))[0]
	  + (split /\|/, event_count($dst, 'qb'))[0];
}

for my $job ('mover', 'splitter')
{
	my $before;
	kill_runs(12,
		sub {
			my ($i) = @_;
			$before = moved($job);
			return start_script($dir, "$job$i", $prog{$job}, $ini{$job},
				'--set', "dst_db=$ddb application_name=$job$i");
		},
		sub {
			my ($i) = @_;
			return $i % 2
			  ? $dst->safe_psql('postgres', qq{
select count(*) > 0 from pg_stat_activity
 where application_name = '$job$i' and backend_xid is not null})
			  eq 't'
			  : moved($job) > $before;
		});
	my $mid = moved($job);
	ok($mid > 0 && $mid < $N, "$job: killed twelve times on the way ($mid of $N)");

	# the last run goes to the end of the queue
	my $h = start_script($dir, "${job}_last", $prog{$job}, $ini{$job});
	ok( wait_until("$job to finish",
			sub {
				$src->safe_psql('postgres', qq{
select pending_events = 0 and current_batch is null
  from pgq.get_consumer_info('q', '$job')}) eq 't';
			}),
		"$job: the queue is drained");
	kill 'INT', script_pid($h);
	$h->finish;
	is($? >> 8, 0, "$job: stops on SIGINT with 0");
}

is(event_count($dst, 'moved'), "$N|$N", 'queue_mover: every event exactly once');
is($dst->safe_psql('postgres', q{
select count(*) from pgq.event_1 m
 where m.ev_type <> 'ev' || m.ev_data::int % 7
    or m.ev_extra1 is distinct from case when m.ev_data::int % 3 = 0 then 'qb' else 'qa' end
    or m.ev_extra2 <> 'x2' or m.ev_extra3 is not null or m.ev_extra4 <> 'x4'}),
	0, 'queue_mover: type and extras kept');
my %times = map { split /\|/ } split /\n/, $src->safe_psql('postgres',
	"select ev_data, ev_time from pgq.event_1 where ev_id % 997 = 0");
my %moved_times = map { split /\|/ } split /\n/, $dst->safe_psql('postgres',
	"select ev_data, ev_time from pgq.event_1 where ev_data::int in ("
	  . join(',', keys %times) . ")");
is_deeply(\%moved_times, \%times, 'queue_mover: the events keep their time');

my $qa = $N - int($N / 3);
is(event_count($dst, 'qa'), "$qa|$qa", 'queue_splitter: qa has its events exactly once');
is(event_count($dst, 'qb'), int($N / 3) . '|' . int($N / 3),
	'queue_splitter: qb has its events exactly once');
is($dst->safe_psql('postgres', q{
select count(*) from pgq.event_3 where ev_data::int % 3 <> 0}),
	0, 'queue_splitter: only events for qa in qa');
is($dst->safe_psql('postgres',
	"select count(*) from pgq_ext.completed_batch where consumer_id in ('mover', 'splitter')"),
	2, 'pgq_ext records both consumers\' batches');
like(slurp_file("$dir/mover.log"), qr/\{count: \d+, duration: [\d.]+\}/,
	'the statistics line in the logfile');

# bad input on the way: an event without ev_extra1 stops the splitter with
# a clear error, and it is not lost: once it names a queue it moves
$src->safe_psql('postgres', q{
select pgq.insert_event('q', 'bad', 'no queue', null, null, null, null);
select pgq.insert_event('q', 'late', 'for qc', 'qc', null, null, null);
select pgq.ticker('q');
});
my $h = start_script($dir, 'splitter_bad', $prog{splitter}, $ini{splitter});
ok(wait_for_log("$dir/splitter_bad.err", qr/event \d+ has no ev_extra1: no queue to put it in/),
	'an event without ev_extra1: a clear error');
kill 'KILL', script_pid($h);
$h->finish;
$src->safe_psql('postgres', q{
update pgq.event_1 set ev_extra1 = 'qa' where ev_type = 'bad';
});
$h = start_script($dir, 'splitter_noqueue', $prog{splitter}, $ini{splitter});
ok(wait_for_log("$dir/splitter_noqueue.err", qr/inserting an event into queue qc: ERROR:  No such queue/),
	'a queue the target does not have: a clear error');
$dst->safe_psql('postgres', "select pgq.create_queue('qc')");
ok( wait_until('the late events to move',
		sub { event_count($dst, 'qc') eq '1|1' }),
	'once the queue exists the batch goes through');
kill 'INT', script_pid($h);
$h->finish;
is(event_count($dst, 'qa'), ($qa + 1) . '|' . ($qa + 1), 'nothing lost, nothing doubled');

$src->stop;
$dst->stop;
done_testing();
