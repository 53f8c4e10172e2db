# ticker_busy_period (ours): between pgq.ticker() rounds, queues with new
# events get a tick within about ticker_busy_period, whatever their
# ticker_max_count and ticker_max_lag; an idle queue gets no extra ticks;
# 0 turns it off.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Pgqd;

# Time plays no part in the checks: pgq.ticker() runs at start-up and then
# once an hour, so a tick of the busy queue can only be a quick tick, and
# "no tick" is checked after pgqd has gone round several times, as the
# server's function statistics count them.
my $node = PostgreSQL::Test::Cluster->new('busy');
$node->init;
$node->append_conf('postgresql.conf', "track_functions = all\n");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;
sub sql { return $node->safe_psql('postgres', $_[0]); }

sql(q{
create extension pgq;
select pgq.create_queue('busy');
select pgq.create_queue('idle');
});
sub last_tick { return sql("select last_tick_id from pgq.get_queue_info('$_[0]')"); }
sub calls
{
	return sql("select coalesce(sum(calls), 0) from pg_stat_user_functions
                 where schemaname = 'pgq' and funcname = '$_[0]'");
}
# wait until pgq.$f() has been called $n times in all
sub calls_reach
{
	my ($f, $n) = @_;
	return $node->poll_query_until('postgres', "select coalesce(sum(calls), 0) >= $n
	  from pg_stat_user_functions where schemaname = 'pgq' and funcname = '$f'");
}
# wait until pgqd has called pgq.$f() $n more times
sub rounds { return calls_reach($_[0], calls($_[0]) + $_[1]); }

my $h = start_pgqd($node, $dir, "ticker_period = 3600\nticker_busy_period = 0.1\n");
# the start-up round of pgq.ticker(), then quick rounds
calls_reach('ticker', 1) or die 'pgqd does not call pgq.ticker()';
rounds('ticker_busy', 1) or die 'pgqd does not call pgq.ticker_busy()';
my $ticker_rounds = calls('ticker');
my $idle_before = last_tick('idle');
my $busy_before = last_tick('busy');
sql(q{select pgq.insert_event('busy', 'ev', i::text) from generate_series(1, 3) i});
ok($node->poll_query_until('postgres', "select last_tick_id > $busy_before from pgq.get_queue_info('busy')"),
	'the busy queue ticks without a pgq.ticker() round');
is(calls('ticker'), $ticker_rounds, 'no pgq.ticker() round ran meanwhile');
is(sql(q{select ev_new from pgq.get_queue_info('busy')}), 0, 'its events are in a batch now');
my $busy_after = last_tick('busy');
ok(rounds('ticker_busy', 5), 'pgqd goes on with quick rounds');
is(last_tick('idle'), $idle_before, 'the idle queue got no extra tick');
is(last_tick('busy'), $busy_after, 'nor the busy queue once it has nothing new');
stop_pgqd($h);

# off: the retry job's rounds go by, and no quick tick comes
$ticker_rounds = calls('ticker');
$h = start_pgqd($node, $dir, "ticker_period = 3600\nticker_busy_period = 0\nretry_period = 0.1\n");
calls_reach('ticker', $ticker_rounds + 1) or die 'pgqd did not start';
my $busy_calls = calls('ticker_busy');
$busy_before = last_tick('busy');
sql(q{select pgq.insert_event('busy', 'ev', i::text) from generate_series(1, 3) i});
ok(rounds('maint_retry_events', 5), 'pgqd goes round');
is(last_tick('busy'), $busy_before, 'ticker_busy_period = 0: no quick tick');
is(calls('ticker_busy'), $busy_calls, 'and no pgq.ticker_busy() call');
stop_pgqd($h);

$node->stop;
done_testing();
