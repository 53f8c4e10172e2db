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
