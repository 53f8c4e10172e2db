-- Ticker behaviour beyond upstream's (so not in the suites compared with
-- upstream): a tick sequence that went back is moved on instead of failing
-- every tick with a duplicate key.  (Under wal_level = minimal upstream's
-- create_queue left the sequence able to go back in a crash; ours does
-- not, see pgq.create_queue, but the guard stays for any other cause.)
\set VERBOSITY terse
select pgq.create_queue('tq');
select queue_id as qid from pgq.queue where queue_name = 'tq' \gset
select pgq.ticker('tq') is not null as ticked;
select queue_tick_seq as tseq from pgq.queue where queue_name = 'tq' \gset
select max(tick_id) as maxtick from pgq.tick where tick_queue = :qid \gset
select pg_catalog.setval(:'tseq', 1) as reset;
select pgq.set_queue_config('tq', 'ticker_max_lag', '0');
select pgq.set_queue_config('tq', 'ticker_idle_period', '0');
select pgq.ticker('tq') = :maxtick + 1 as continues;
select pgq.ticker('tq') = :maxtick + 2 as and_on;

select pgq.drop_queue('tq');

-- pgq.ticker_busy(min_lag): a queue with events since its last tick gets a
-- tick when that tick is min_lag old, below ticker_max_count and
-- ticker_max_lag; a queue without new events gets none
select pgq.create_queue('busy_q');
select pgq.create_queue('idle_q');
select pgq.create_queue('paused_q');
select pgq.set_queue_config('paused_q', 'ticker_paused', 'true');
-- (a queue's second tick comes at once: with one tick there is no gap to
-- back off from)
select pgq.ticker('busy_q') > 0 as second_tick;
select pgq.ticker('idle_q') > 0 as second_tick;
select pgq.register_consumer('busy_q', 'bc');
-- (two events: a queue's first event id leaves its event sequence at the
-- value the first tick recorded, as upstream counts it)
select pgq.insert_event('busy_q', 'ev', i::text) > 0 as inserted from generate_series(1, 2) i;
select pgq.insert_event('paused_q', 'ev', i::text) > 0 as inserted from generate_series(1, 2) i;
select pgq.ticker('busy_q') as not_due_for_ticker;
select pgq.ticker('idle_q') as not_due_for_ticker;
select pgq.ticker_busy('1 hour') = 0 as none_old_enough;
select pgq.ticker_busy('0') >= 1 as ticked_some;
select queue_name, ev_new, last_tick_id
  from pgq.get_queue_info() where queue_name like '%\_q' order by 1;
select pgq.ticker_busy('0') = 0 as nothing_new_anywhere;
-- the tick it made is a normal one: a consumer gets the event
select pgq.next_batch('busy_q', 'bc') as bb \gset
select ev_data from pgq.get_batch_events(:bb);
select pgq.finish_batch(:bb);
select pgq.drop_queue(q, true) from unnest(array['busy_q', 'idle_q', 'paused_q']) q;

-- ticker() finds the due queues in one query and ticks those only: a
-- mixture of settings gives what ticker(text) would give for each
select pgq.create_queue(q) from unnest(array['m_new', 'm_count', 'm_lag', 'm_quiet', 'm_paused', 'm_ext', 'm_idle']) q;
select pgq.set_queue_config('m_count', 'ticker_max_count', '3');
select pgq.set_queue_config(q, 'ticker_max_lag', '0') from unnest(array['m_lag', 'm_idle']) q;
-- m_idle has no events and ticks on every round
select pgq.set_queue_config('m_idle', 'ticker_idle_period', '0');
select pgq.set_queue_config('m_quiet', 'ticker_max_count', '1000');
-- (an hour: the not-due ones stay so on a slow machine)
select pgq.set_queue_config(q, 'ticker_max_lag', '1 hour') from unnest(array['m_new', 'm_quiet']) q;
select pgq.set_queue_config('m_new', 'ticker_idle_period', '1 hour');
select pgq.set_queue_config('m_paused', 'ticker_paused', 'true');
select pgq.set_queue_config('m_ext', 'external_ticker', 'true');
-- each has its first tick (create_queue); m_new gets a second one now
select pgq.ticker('m_new') > 0 as second_tick;
select pgq.insert_event(q, 'ev', i::text) > 0 as inserted
  from unnest(array['m_count', 'm_lag', 'm_quiet', 'm_paused']) q, generate_series(1, 4) i;
create temp table before as select queue_name, last_tick_id from pgq.get_queue_info() where queue_name like 'm\_%';
select pgq.ticker() >= 2 as ticked_some;
select i.queue_name, i.last_tick_id > b.last_tick_id as ticked
  from pgq.get_queue_info() i join before b using (queue_name) order by 1;
-- every new tick stores the event sequence's value, as ticker(text) does
-- (m_idle's sequence was never called: its value is the creation tick's)
-- (m_paused and m_quiet did not tick: their events wait)
select q.queue_name, t.tick_event_seq = pgq.seq_getval(q.queue_event_seq) as seq_stored
  from pgq.queue q
  join lateral (select * from pgq.tick where tick_queue = q.queue_id
                 order by tick_id desc limit 1) t on true
 where q.queue_name like 'm\_%' order by 1;
select pgq.ticker() >= 1 as ticked_again;
select count(*) as m_idle_ticks from pgq.tick join pgq.queue on queue_id = tick_queue
 where queue_name = 'm_idle';
select pgq.drop_queue(q, true) from unnest(array['m_new', 'm_count', 'm_lag', 'm_quiet', 'm_paused', 'm_ext', 'm_idle']) q;
