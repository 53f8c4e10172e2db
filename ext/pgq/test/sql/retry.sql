-- Retry: events put back for one subscription, re-delivered later with
-- their id and time and ev_retry counted; other consumers never see them.
\set VERBOSITY terse
select pgq.create_queue('rq');
select pgq.set_queue_config('rq', 'ticker_max_count', '0');
select pgq.set_queue_config('rq', 'ticker_max_lag', '0');
select pgq.set_queue_config('rq', 'ticker_idle_period', '0');
select pgq.register_consumer('rq', 'a');
select pgq.register_consumer('rq', 'b');
select pgq.insert_event('rq', 'ev', 'd' || i) from generate_series(1, 4) i;
select pgq.ticker('rq') is not null as ticked;

select pgq.next_batch('rq', 'a') as ba \gset
select pgq.event_retry(:ba, 1, 0);
select pgq.event_retry(:ba, 1, 0);              -- already waiting: 0
select pgq.event_retry(:ba, 2, now() + '1 hour');
select pgq.event_retry(:ba, 999, 0);            -- not in the batch
select pgq.event_retry(-1, 1, 0);               -- unknown batch
select pgq.event_retry(:ba, null, 0);
select ev_retry_after <= now() as due, ev_id, ev_txid, ev_retry, ev_type, ev_data
  from pgq.retry_queue order by ev_id;
select pgq.finish_batch(:ba);

-- b finishes its batch untouched
select pgq.next_batch('rq', 'b') as bb \gset
select count(*) from pgq.get_batch_events(:bb);
select pgq.finish_batch(:bb);

-- the due event goes back into the queue; the other waits
select pgq.maint_retry_events();
select pgq.maint_retry_events();
select ev_id, ev_data from pgq.retry_queue;
select pgq.ticker('rq') is not null as ticked;

select pgq.next_batch('rq', 'a') as ba2 \gset
select ev_id, ev_retry, ev_type, ev_data from pgq.get_batch_events(:ba2);
-- retrying a retried event counts up
select pgq.event_retry(:ba2, 1, 0);
select ev_id, ev_retry from pgq.retry_queue where ev_id = 1;

-- batch_retry puts back all that is not already waiting
select pgq.finish_batch(:ba2);
select pgq.maint_retry_events();
select pgq.insert_event('rq', 'ev', 'd5');
select pgq.ticker('rq') is not null as ticked;
select pgq.next_batch('rq', 'a') as ba3 \gset
select ev_id, ev_retry from pgq.get_batch_events(:ba3);
select pgq.batch_retry(:ba3, 0);
select pgq.batch_retry(:ba3, 0);
select pgq.batch_retry(-1, 0);
select ev_id, ev_retry from pgq.retry_queue order by ev_id;
select pgq.finish_batch(:ba3);

-- b never saw a retried copy
select pgq.next_batch('rq', 'b') as bb2 \gset
select ev_id, ev_retry, ev_data from pgq.get_batch_events(:bb2);
select pgq.finish_batch(:bb2);

-- event_retry_raw: arbitrary events for a consumer
select pgq.event_retry_raw('rq', 'b', now(), 500, now(), 3, 'raw', 'rd', null, null, null, 'x4');
select pgq.event_retry_raw('rq', 'b', now(), null, now(), null, 'raw', 'auto-id', null, null, null, null) > 5 as new_id;
select pgq.event_retry_raw('rq', 'b', now(), 500, now(), 3, 'raw', 'dup', null, null, null, null);
select pgq.event_retry_raw('rq', 'nobody', now(), 1, now(), 0, 't', 'd', null, null, null, null);
select pgq.event_retry_raw('nosuch', 'b', now(), 1, now(), 0, 't', 'd', null, null, null, null);
select count(*) from pgq.retry_queue;
-- at most 10 are moved per call
select pgq.maint_retry_events();
select pgq.event_retry_raw('rq', 'a', now(), 1000 + i, now(), 0, 't', 'many', null, null, null, null)
  from generate_series(1, 12) i \g /dev/null
select pgq.maint_retry_events() as moved_1;
select pgq.maint_retry_events() as moved_2;
select pgq.maint_retry_events() as moved_3;
select count(*) as waiting from pgq.retry_queue;

-- unregistering drops the consumer's waiting events
select pgq.event_retry_raw('rq', 'b', now() + '1 day', 600, now(), 0, 't', 'd', null, null, null, null);
select pgq.unregister_consumer('rq', 'b');
select count(*) from pgq.retry_queue;
select pgq.drop_queue('rq', true);
