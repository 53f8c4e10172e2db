-- Consuming: subscriptions, batches, their events and bookkeeping.
\set VERBOSITY terse
select pgq.create_queue('cq');
select pgq.set_queue_config('cq', 'ticker_max_count', '0');
select pgq.set_queue_config('cq', 'ticker_max_lag', '0');
select pgq.set_queue_config('cq', 'ticker_idle_period', '0');

-- registration
select pgq.register_consumer('cq', 'c1');
select pgq.register_consumer('cq', 'c1');        -- already: 0
select pgq.register_consumer('cq', 'Mixed Case "c"');
select pgq.register_consumer('nosuch', 'c1');
select pgq.register_consumer_at('cq', 'c3', 999);
select pgq.register_consumer(null, 'c1');
select pgq.register_consumer('cq', null);
select queue_name, consumer_name, last_tick, current_batch, next_tick, pending_events
  from pgq.get_consumer_info('cq');

-- nothing ticked since registration: no batch, one all-NULL row
select * from pgq.next_batch_info('cq', 'c1');
select pgq.next_batch('cq', 'c1');

select pgq.insert_event('cq', 'ev', 'one');
select pgq.insert_event('cq', 'ev', 'two');
select pgq.ticker('cq');
select pgq.insert_event('cq', 'ev', 'three');

-- a batch: the two events committed before tick 2
select batch_id > 0 as has_batch, cur_tick_id, prev_tick_id,
       cur_tick_time >= prev_tick_time as times_ok,
       cur_tick_event_seq, prev_tick_event_seq
  from pgq.next_batch_info('cq', 'c1');
select pgq.next_batch('cq', 'c1') as b1 \gset
-- asking again returns the same open batch
select pgq.next_batch('cq', 'c1') = :b1 as same_batch;
select ev_id, ev_retry, ev_type, ev_data, ev_extra1 from pgq.get_batch_events(:b1);
select queue_name, consumer_name, prev_tick_id, tick_id, seq_start, seq_end,
       batch_end >= batch_start as times_ok, lag >= '0'::interval as lag_ok
  from pgq.get_batch_info(:b1);
select * from pgq.get_batch_info(-1);
-- a batch reaching back to the queue's creation reads the previous table
-- too (step2 of the creating transaction is not below its xmin)
select t = pgq.current_event_table('cq') as is_current
  from pgq.batch_event_tables(:b1) t;
select pgq.batch_event_sql(:b1) like '% order by 1' as sql_shape;
select queue_name, consumer_name, last_tick, current_batch = :b1 as open, next_tick
  from pgq.get_consumer_info('cq', 'c1');

-- cursor reading, quick part and the rest
begin;
select ev_id, ev_data from pgq.get_batch_cursor(:b1, 'cur1', 1);
move all in cur1;
select ev_id, ev_data from pgq.get_batch_cursor(:b1, 'Cur 2', 5, 'ev_data = ''two''');
select ev_id from pgq.get_batch_cursor(:b1, 'cur3', 0);
move all in cur3;
select count(*) from pgq.get_batch_cursor(:b1, null, 5);
select count(*) from pgq.get_batch_cursor(null, 'cur4', 5, null);
select count(*) from pgq.get_batch_cursor(:b1, 'cur1', 5);   -- name in use
rollback;

-- finishing
select pgq.finish_batch(:b1);
select pgq.finish_batch(:b1);        -- WARNING, 0
select pgq.get_batch_events(:b1);
select pgq.batch_event_tables(:b1);
select pgq.next_batch('cq', 'c1');   -- tick 2 is the newest: nothing yet
select pgq.ticker('cq');
select pgq.next_batch('cq', 'c1') as b2 \gset
select ev_id, ev_data from pgq.get_batch_events(:b2);
select pgq.finish_batch(:b2);

-- the second consumer sees everything since its own registration
select pgq.next_batch('cq', 'Mixed Case "c"') as b3 \gset
select ev_data from pgq.get_batch_events(:b3);
select pgq.finish_batch(:b3);
select pgq.next_batch('cq', 'Mixed Case "c"') as b4 \gset
select ev_data from pgq.get_batch_events(:b4);
select pgq.finish_batch(:b4);

-- errors of next_batch
select pgq.next_batch('cq', 'nobody');
select pgq.next_batch('nosuch', 'c1');
select pgq.next_batch(null, null);
select * from pgq.next_batch_custom('cq', 'nobody', null, null, null);

-- a transaction still open at a tick lands in a later batch (two sessions
-- are needed for that: see specs/batch_membership.spec)

-- next_batch_custom: lag, count and interval conditions
select pgq.insert_event('cq', 'ev', 'four');
select pgq.ticker('cq');
select batch_id is null as no_batch from pgq.next_batch_custom('cq', 'c1', '1 hour', null, null);
select batch_id is null as no_batch from pgq.next_batch_custom('cq', 'c1', null, 100, null);
select batch_id is null as no_batch from pgq.next_batch_custom('cq', 'c1', null, null, '1 hour');
select batch_id is not null as batch, cur_tick_event_seq - prev_tick_event_seq as events
  from pgq.next_batch_custom('cq', 'c1', null, 1, null);
select pgq.finish_batch(pgq.next_batch('cq', 'c1'));

-- find_tick_helper: count overshoot picks the oldest tick that satisfies
select queue_id as qid from pgq.queue where queue_name = 'cq' \gset
select pgq.insert_event('cq', 'ev', 'five');
select pgq.ticker('cq') as t_a \gset
select pgq.insert_event('cq', 'ev', 'six');
select pgq.insert_event('cq', 'ev', 'seven');
select pgq.ticker('cq') as t_b \gset
select pgq.insert_event('cq', 'ev', 'eight');
select pgq.insert_event('cq', 'ev', 'nine');
select pgq.ticker('cq') as t_c \gset
select sub_last_tick as last from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
 where c.co_name = 'c1' \gset
select t.tick_time as last_time, t.tick_event_seq as last_seq from pgq.tick t
 where t.tick_queue = :qid and t.tick_id = :last \gset
-- ticks a, b, c are 1, 3 and 5 events ahead.  The newest is taken unless
-- it overshoots (more than twice min_count): then the oldest that has
-- min_count events is.
select next_tick_id = :t_c as newest from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, 5, null);
select next_tick_id = :t_c as newest from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, 3, null);
select next_tick_id = :t_b as middle from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, 2, null);
select next_tick_id = :t_a as oldest from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, 1, null);
-- the same with intervals: every later tick is more than 0 seconds after
select next_tick_id = :t_a as oldest from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, null, '0');
select next_tick_id is null as none from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, null, '1 hour');
select next_tick_id is null as none from pgq.find_tick_helper(:qid, :last, :'last_time', :last_seq, 9, null);
select next_tick_id is null as none from pgq.find_tick_helper(:qid, :t_c, now(), 0, 1, null);

-- repositioning drops the open batch
select pgq.next_batch('cq', 'c1') is not null as opened;
select pgq.register_consumer_at('cq', 'c1', :t_a);
select last_tick = :t_a as moved, current_batch, next_tick
  from pgq.get_consumer_info('cq', 'c1');
select pgq.register_consumer_at('cq', 'c1', 123456);

-- unregistering
select pgq.unregister_consumer('cq', 'c1');
select pgq.unregister_consumer('cq', 'c1');
select pgq.unregister_consumer('nosuch', 'c1');
select pgq.unregister_consumer('cq', 'Mixed Case "c"');
select co_name from pgq.consumer order by 1;
select count(*) from pgq.get_consumer_info();
select pgq.drop_queue('cq');
