# Batches and long transactions: an event belongs to the batch whose end
# tick is the first to see its transaction committed, however long the
# transaction ran across ticks.  Transactions are held open in background
# sessions while short ones commit and the queue ticks; every batch is
# then checked against the definition itself (txid_visible_in_snapshot of
# the end tick, and not of the start tick, over all event tables), through
# get_batch_events and get_batch_cursor, and each event is seen once.  Both
# ways batch_event_sql reaches a long transaction are covered: a txid just
# below the start tick's xmax (the range is lowered) and one far below it
# (more than 100 transactions later: an IN-list).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('batch_read');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '0');
select pgq.set_queue_config('q', 'ticker_max_lag', '0');
select pgq.set_queue_config('q', 'ticker_idle_period', '0');
select pgq.register_consumer('q', 'c');
});
sub sql { return $node->safe_psql('postgres', $_[0]); }
sub ev { sql("select pgq.insert_event('q', 'short', '$_[0]')"); }
sub tick { sql("select pgq.ticker('q')"); }
sub burn { sql("select count(txid_current()) from generate_series(1, 1)") for 1 .. $_[0]; }

# far: open across four ticks, 150 transactions commit after it began
my $far = $node->background_psql('postgres');
$far->query_safe("begin; select pgq.insert_event('q', 'long', 'far')");
ev('s1');
tick();
burn(150);
# near: begins just before a tick, commits a tick later
my $near = $node->background_psql('postgres');
$near->query_safe("begin; select pgq.insert_event('q', 'long', 'near')");
ev('s2');
tick();
ev('s3');
$near->query_safe('commit');
ev('s4');
tick();
# still running at this tick: not in its batch
my $late = $node->background_psql('postgres');
$late->query_safe("begin; select pgq.insert_event('q', 'long', 'late')");
ev('s5');
$far->query_safe('commit');
tick();
$late->query_safe('commit');
ev('s6');
tick();
$_->quit for ($far, $near, $late);

# every batch against the definition
my @batches;
while (1)
{
	my $b = sql("select pgq.next_batch('q', 'c')");
	last if $b eq '';
	my $want = sql(qq{
select coalesce(string_agg(ev_data, ' ' order by ev_id), '')
  from pgq.event_template ev, pgq.subscription s, pgq.tick l, pgq.tick t
 where s.sub_batch = $b
   and l.tick_queue = s.sub_queue and l.tick_id = s.sub_last_tick
   and t.tick_queue = s.sub_queue and t.tick_id = s.sub_next_tick
   and txid_visible_in_snapshot(ev.ev_txid, t.tick_snapshot)
   and not txid_visible_in_snapshot(ev.ev_txid, l.tick_snapshot)});
	my $got = sql("select coalesce(string_agg(ev_data, ' '), '') from pgq.get_batch_events($b)");
	my $cur = sql(qq{
begin;
select coalesce(string_agg(ev_data, ' '), '') from pgq.get_batch_cursor($b, 'bc', 1000);
commit;});
	is($got, $want, "batch $b: get_batch_events holds the batch's events in id order");
	is($cur, $want, "batch $b: get_batch_cursor the same");
	push @batches, $got;
	sql("select pgq.finish_batch($b)");
}
is_deeply(\@batches, [ 's1', 's2', 'near s3 s4', 'far s5', 'late s6' ],
	'each event in the batch of the first tick that saw it committed, once');

done_testing();
