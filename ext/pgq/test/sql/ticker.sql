-- The ticker: when a queue ticks, external ticks, pausing, force_tick.
\set VERBOSITY terse
select pgq.create_queue('tq');
select queue_id as qid from pgq.queue where queue_name = 'tq' \gset

-- a fresh queue has tick 1; the next call ticks (only one tick so far)
select tick_id from pgq.tick where tick_queue = :qid;
select pgq.ticker('tq');
-- idle and young: no tick
select pgq.ticker('tq');
-- new events below max_count and younger than max_lag: no tick
select pgq.insert_event('tq', 'e', '1');
select pgq.insert_event('tq', 'e', '2');
select pgq.ticker('tq');
-- reaching max_count ticks at once.  (The first event of a fresh queue
-- does not count: a new sequence's last_value is 1 before and after the
-- first nextval.  Upstream behaves the same.)
select pgq.set_queue_config('tq', 'ticker_max_count', '2');
select pgq.insert_event('tq', 'e', '3');
select pgq.ticker('tq');
select tick_id, tick_event_seq from pgq.tick where tick_queue = :qid order by tick_id;
-- an old enough last tick ticks with any new event
select pgq.set_queue_config('tq', 'ticker_max_count', '500');
select pgq.insert_event('tq', 'e', '4');
select pgq.ticker('tq');
select pgq.set_queue_config('tq', 'ticker_max_lag', '0');
select pgq.ticker('tq');
-- idle: ticks no sooner than max_lag/2 and the doubled previous gap, but
-- always after idle_period
select pgq.set_queue_config('tq', 'ticker_max_lag', '1 hour');
select pgq.ticker('tq');
select pgq.set_queue_config('tq', 'ticker_max_lag', '0');
-- the last gap made an hour long, so that the lag (milliseconds, however
-- slow the machine) stays below twice it
update pgq.tick set tick_time = tick_time - interval '1 hour'
 where tick_queue = :qid
   and tick_id < (select max(tick_id) from pgq.tick where tick_queue = :qid);
select pgq.ticker('tq');       -- lag below twice the last gap: no tick yet
select pgq.set_queue_config('tq', 'ticker_idle_period', '0');
select pgq.ticker('tq');
select pgq.ticker('tq');

-- pgq.ticker() ticks every due queue and says how many
select pgq.create_queue('tq2');
select pgq.set_queue_config('tq2', 'ticker_max_count', '0');
select pgq.set_queue_config('tq2', 'ticker_max_lag', '0');
select pgq.set_queue_config('tq2', 'ticker_idle_period', '0');
select pgq.ticker();
select pgq.ticker();

-- paused and external queues are skipped by ticker() and refused by name
select pgq.set_queue_config('tq2', 'ticker_paused', 'true');
select pgq.ticker('tq2');
select pgq.ticker();
select pgq.set_queue_config('tq2', 'ticker_paused', 'false');
select pgq.set_queue_config('tq2', 'external_ticker', 'true');
select pgq.ticker('tq2');
select pgq.ticker('nosuch');
select pgq.ticker(null::text);

-- external ticks carry the provider's id, time and event sequence
select queue_id as qid2, queue_tick_seq as tseq2, queue_event_seq as eseq2
  from pgq.queue where queue_name = 'tq2' \gset
select pgq.ticker('tq2', 100, '2020-01-01 00:00:00+00', 5000);
select tick_id, tick_time, tick_event_seq from pgq.tick where tick_queue = :qid2 and tick_id = 100;
select pgq.seq_getval(:'tseq2') as tick_seq, pgq.seq_getval(:'eseq2') as event_seq;
-- sequences never move back
select pgq.ticker('tq2', 101, '2020-01-01 00:00:01+00', 10);
select pgq.seq_getval(:'tseq2') as tick_seq, pgq.seq_getval(:'eseq2') as event_seq;
select pgq.ticker('tq2', 101, now(), 10);                  -- duplicate id
select pgq.ticker('tq', 1000, now(), 1);                   -- not external
select pgq.ticker('nosuch', 1000, now(), 1);
select pgq.set_queue_config('tq2', 'ticker_paused', 'true');
select pgq.ticker('tq2', 102, now(), 10);                  -- paused
select pgq.set_queue_config('tq2', 'ticker_paused', 'false');

-- force_tick: bumps the sequence so that the next ticker run ticks
select pgq.set_queue_config('tq', 'ticker_max_lag', '1 hour');
select pgq.set_queue_config('tq', 'ticker_idle_period', '1 hour');
select pgq.ticker('tq');
select pgq.force_tick('tq') as before_tick \gset
select pgq.ticker('tq') > :before_tick as ticked;
select pgq.force_tick('tq2') = 101 as external_untouched;
select pgq.seq_getval(:'eseq2') as event_seq;
select pgq.force_tick('nosuch');

-- sanity: a tick from the future (a database restored into a cluster with
-- a lower txid counter) stops the ticker
insert into pgq.tick (tick_queue, tick_id, tick_event_seq, tick_snapshot)
  values (:qid, 9999, 0, ((txid_current() + 1000)::text || ':' || (txid_current() + 1000)::text || ':')::txid_snapshot);
do $$
begin
    perform pgq.ticker('tq');
exception when others then
    raise notice '%', regexp_replace(sqlerrm, '[0-9]+', 'N', 'g');
end $$;
delete from pgq.tick where tick_queue = :qid and tick_id = 9999;
-- an event sequence behind the last tick is reported (and counts as idle)
insert into pgq.tick (tick_queue, tick_id, tick_event_seq) values (:qid, 9999, 999999);
select pgq.ticker('tq');
delete from pgq.tick where tick_queue = :qid and tick_id >= 9999;

select pgq.drop_queue('tq');
select pgq.drop_queue('tq2');
