# ticker_busy_period (ours): between pgq.ticker() rounds, queues with new
# events get a tick within about ticker_busy_period, whatever their
# ticker_max_count and ticker_max_lag; an idle queue gets no extra ticks;
# 0 turns it off.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use SkyTools::Pgqd;

my $node = PostgreSQL::Test::Cluster->new('busy');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;
sub sql { return $node->safe_psql('postgres', $_[0]); }

sql(q{
create extension pgq;
select pgq.create_queue('busy');
select pgq.create_queue('idle');
});
sub last_tick { return sql("select last_tick_id from pgq.get_queue_info('$_[0]')"); }

# pgq.ticker() every 30 s only: quick ticks do the work
my $h = start_pgqd($node, $dir, "ticker_period = 30\nticker_busy_period = 0.1\n");
$node->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where application_name like 'pgqd%' and query like '%ticker_busy%'})
  or die 'pgqd does not call pgq.ticker_busy()';
my $idle_before = last_tick('idle');
my $busy_before = last_tick('busy');
sql(q{select pgq.insert_event('busy', 'ev', i::text) from generate_series(1, 3) i});
my $t0 = time;
$node->poll_query_until('postgres',
	"select last_tick_id > $busy_before from pgq.get_queue_info('busy')")
  or die 'no tick for the busy queue';
my $took = time - $t0;
cmp_ok($took, '<', 5, sprintf('the busy queue ticked %.2f s after its events', $took));
is(sql(q{select ev_new from pgq.get_queue_info('busy')}), 0, 'its events are in a batch now');
usleep(1_000_000);
is(last_tick('idle'), $idle_before, 'the idle queue got no extra tick');
my $busy_after = last_tick('busy');
usleep(500_000);
is(last_tick('busy'), $busy_after, 'nor the busy queue once it has nothing new');
stop_pgqd($h);

# off: with ticker_period 30 nothing ticks the new events for a while
$h = start_pgqd($node, $dir, "ticker_period = 30\nticker_busy_period = 0\n");
# its first round is over once it has looked for DROP DATABASE statements
$node->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where application_name like 'pgqd%' and state = 'idle'
    and query like '%pg_stat_activity%'}) or die 'pgqd did not start';
$busy_before = last_tick('busy');
sql(q{select pgq.insert_event('busy', 'ev', i::text) from generate_series(1, 3) i});
usleep(2_000_000);
is(last_tick('busy'), $busy_before, 'ticker_busy_period = 0: no quick tick');
stop_pgqd($h);

$node->stop;
done_testing();
