-- pgq_coop: every function with its results, notices and errors; the
-- rows it keeps in pgq.subscription; dead-peer takeover; interplay with
-- pgq's retry and unregister.
\set VERBOSITY terse
create extension pgq_coop cascade;

select pgq_coop.version() = extversion as version_ok
  from pg_extension where extname = 'pgq_coop';
select p.oid::regprocedure as func, pg_get_function_result(p.oid) as returns,
       prosecdef as definer, proconfig
  from pg_proc p where pronamespace = 'pgq_coop'::regnamespace
 order by p.oid::regprocedure::text;

select pgq.create_queue('cq');
-- tick on every call
select pgq.set_queue_config('cq', 'ticker_max_count', '0');
select pgq.set_queue_config('cq', 'ticker_max_lag', '0');

-- the rows: main consumer and sub-consumers, as (name, last, next, batch)
create view coop_rows as
  select c.co_name, s.sub_last_tick is not null as has_last,
         s.sub_next_tick is not null as has_next, s.sub_batch is not null as has_batch,
         s.sub_id = (select s2.sub_id from pgq.subscription s2
                       join pgq.consumer c2 on c2.co_id = s2.sub_consumer
                      where c2.co_name = 'cmain') as shares_id
    from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
   order by 1;

-- registering: 1 new, 0 again; the main consumer comes along
select pgq_coop.register_subconsumer('cq', 'cmain', 'sc1');
select pgq_coop.register_subconsumer('cq', 'cmain', 'sc1');
select pgq_coop.register_subconsumer('cq', 'cmain', 'sc2');
select * from coop_rows;
-- sub-consumers are listed by pgq with no last tick
select consumer_name, last_tick is null as idle
  from pgq.get_consumer_info('cq') order by 1;

-- no batch before a tick
select pgq_coop.next_batch('cq', 'cmain', 'sc1');

-- events, a tick: sc1 gets the batch, again on a repeated call
select pgq.insert_event('cq', 'ev', 'one');
select pgq.insert_event('cq', 'ev', 'two');
select pgq.ticker('cq') > 0 as ticked;
select pgq_coop.next_batch('cq', 'cmain', 'sc1') as b1 \gset
select pgq_coop.next_batch('cq', 'cmain', 'sc1') = :b1 as same_batch;
select ev_type, ev_data from pgq.get_batch_events(:b1) order by ev_id;
select * from coop_rows;
-- get_batch_info finds it on the sub-consumer's row
select queue_name, consumer_name from pgq.get_batch_info(:b1);

-- sc2 gets nothing until the next tick, then the next batch
select pgq_coop.next_batch('cq', 'cmain', 'sc2');
select pgq.insert_event('cq', 'ev', 'three');
select pgq.ticker('cq') > 0 as ticked;
select pgq_coop.next_batch('cq', 'cmain', 'sc2') as b2 \gset
select :b2 <> :b1 as other_batch;
select ev_data from pgq.get_batch_events(:b2);

-- retry from a sub-consumer's batch goes to the shared sub_id
select pgq.event_retry(:b2, (select ev_id from pgq.get_batch_events(:b2)), 0);
select ev_data, ev_owner = (select sub_id from pgq.subscription s join pgq.consumer c
                              on c.co_id = s.sub_consumer where co_name = 'cmain') as shared_owner
  from pgq.retry_queue;

-- finishing: 1, then 0 with a WARNING for an unknown batch
select pgq_coop.finish_batch(:b1);
select pgq_coop.finish_batch(:b1);
select pgq_coop.finish_batch(-5);
select pgq_coop.finish_batch(null);
select * from coop_rows;

-- the plain pgq.next_batch on the main name leaves a batch open there:
-- sub-consumers are refused while it is
select pgq.insert_event('cq', 'ev', 'four');
select pgq.ticker('cq') > 0 as ticked;
select pgq.next_batch('cq', 'cmain') as mb \gset
select pgq_coop.next_batch('cq', 'cmain', 'sc1');
select pgq.finish_batch(:mb);

-- min count / min interval / min lag go to pgq.next_batch_custom
select pgq.insert_event('cq', 'ev', 'five');
select pgq.ticker('cq') > 0 as ticked;
select pgq_coop.next_batch_custom('cq', 'cmain', 'sc1', '1 hour', null, null);
select pgq_coop.next_batch_custom('cq', 'cmain', 'sc1', null, 100, '1 hour');
select pgq_coop.next_batch_custom('cq', 'cmain', 'sc1', null, null, null) as b3 \gset
select ev_data from pgq.get_batch_events(:b3);

-- dead peer takeover: sc1 holds b3 and goes silent; sc3 (new, auto-
-- registered) takes it over after the dead interval, sc1's row is gone
update pgq.subscription set sub_active = now() - '2 hours'::interval
 where sub_batch = :b3;
select pgq_coop.next_batch('cq', 'cmain', 'sc3', '3 hours');   -- not dead yet: nothing new
select pgq_coop.next_batch('cq', 'cmain', 'sc3', '1 hour') = :b3 as took_over;
select * from coop_rows;
select pgq_coop.finish_batch(:b3);
-- the original holder comes back: its batch is gone, it registers anew
select pgq_coop.next_batch('cq', 'cmain', 'sc1');
select * from coop_rows;

-- an idle dead peer is removed without a batch to take
update pgq.subscription set sub_active = now() - '2 hours'::interval
 where sub_consumer = (select co_id from pgq.consumer where co_name = 'cmain.sc3');
select pgq_coop.next_batch('cq', 'cmain', 'sc1', '1 hour');
select * from coop_rows;

-- unregistering: unknown 0, a batch holder refused unless told to drop it
select pgq_coop.unregister_subconsumer('cq', 'cmain', 'nosuch', 0);
select pgq_coop.unregister_subconsumer('nosuchq', 'cmain', 'sc1', 0);
select pgq.insert_event('cq', 'ev', 'six');
select pgq.ticker('cq') > 0 as ticked;
select pgq_coop.next_batch('cq', 'cmain', 'sc1') as b4 \gset
select pgq_coop.unregister_subconsumer('cq', 'cmain', 'sc1', 0);
select pgq_coop.unregister_subconsumer('cq', 'cmain', 'sc1', null);
select pgq_coop.unregister_subconsumer('cq', 'cmain', 'sc1', 1);
select * from coop_rows;
-- the consumer name row stays
select count(*) from pgq.consumer where co_name = 'cmain.sc1';

-- pgq.unregister_consumer: a sub-consumer alone (1), then the main
-- consumer with every row sharing its sub_id and its retry events
select pgq_coop.register_subconsumer('cq', 'cmain', 'sc4');
select pgq.unregister_consumer('cq', 'cmain.sc2');
select pgq_coop.register_subconsumer('cq', 'cmain', 'sc5');
select pgq.unregister_consumer('cq', 'cmain');
select * from coop_rows;
select count(*) from pgq.retry_queue;

-- next_batch registers a consumer and sub-consumer never seen before
select pgq_coop.next_batch('cq', 'fresh', 's1');
select c.co_name, s.sub_last_tick is not null as has_last
  from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
 where c.co_name like 'fresh%' order by 1;

-- unknown queue and bad names
select pgq_coop.register_subconsumer('nosuchq', 'c', 's');
select pgq_coop.next_batch('nosuchq', 'c', 's');
select pgq_coop.register_subconsumer('cq', 'we"ird c''o', 's p a c e');
select co_name from pgq.consumer where co_name like 'we%' order by 1;
select pgq_coop.next_batch('cq', 'we"ird c''o', 's p a c e');
select pgq_coop.register_subconsumer('cq', null, 's');
select pgq_coop.next_batch('cq', 'c', null);
