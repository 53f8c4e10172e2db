-- Producing events: insert_event and insert_event_raw, their defaults and
-- checks.  Event ids come from the queue's sequence, consumed even by an
-- insert that is then refused.
\set VERBOSITY terse
select pgq.create_queue('pq');
select queue_data_pfx as pfx from pgq.queue where queue_name = 'pq' \gset

begin;
select pgq.insert_event('pq', 'type1', 'data1');
select pgq.insert_event('pq', 'type2', 'data2', 'e1', 'e2', 'e3', 'e4');
select pgq.insert_event('pq', null, null);
select pgq.insert_event_raw('pq', 100, '2020-01-02 03:04:05+00', 7, 3,
                            't', 'd', null, 'x2', null, 'x4');
select pgq.insert_event_raw('pq', null, null, null, null, 'nulltime', null,
                            null, null, null, null);
-- every row got this transaction's id and, unless given, its start time
select ev_id, ev_owner, ev_retry, ev_type, ev_data,
       ev_extra1, ev_extra2, ev_extra3, ev_extra4,
       case when ev_time = now() then 'now' else ev_time::text end as ev_time,
       ev_txid = txid_current() as own_txid
  from :pfx order by ev_id;
-- all in the current table
select count(*) from :pfx where tableoid = pgq.current_event_table('pq')::regclass;
commit;

-- unknown and NULL queue names; a missing queue does not touch a sequence
select pgq.insert_event('nosuch', 't', 'd');
select pgq.insert_event(null, 't', 'd');
select pgq.insert_event_raw(null, null, null, null, null, 't', 'd',
                            null, null, null, null);

-- a disabled queue refuses, but its sequence still moves; a replica
-- session (a cascade worker) may write
update pgq.queue set queue_disable_insert = true where queue_name = 'pq';
select pgq.insert_event('pq', 'refused', 'x');
select pgq.insert_event('pq', 'refused', 'x');
set session_replication_role = replica;
select pgq.insert_event('pq', 'replica', 'x');
reset session_replication_role;
update pgq.queue set queue_disable_insert = false where queue_name = 'pq';
select pgq.insert_event('pq', 'again', 'x');
select ev_id, ev_type from :pfx where ev_id > 100 or ev_type <> 't' order by ev_id;

-- queue_per_tx_limit: events per queue per transaction
update pgq.queue set queue_per_tx_limit = 2 where queue_name = 'pq';
begin;
select pgq.insert_event('pq', 'lim', '1');
select pgq.insert_event('pq', 'lim', '2');
select pgq.insert_event('pq', 'lim', '3');
rollback;
begin;
select pgq.insert_event('pq', 'lim', '1') > 0 as ok;
commit;
begin;
select pgq.insert_event('pq', 'lim', '2') > 0 as ok;  -- a new transaction counts anew
select pgq.insert_event('pq', 'lim', '3') > 0 as ok;
commit;
update pgq.queue set queue_per_tx_limit = 0 where queue_name = 'pq';
select pgq.insert_event('pq', 'lim', 'none allowed');
update pgq.queue set queue_per_tx_limit = null where queue_name = 'pq';
select count(*) from :pfx where ev_type = 'lim';

-- bulk producers may write into the current table directly; ev_id and
-- ev_txid come from the defaults
select pgq.current_event_table('pq') as cur \gset
insert into :cur (ev_time, ev_type, ev_data) values (now(), 'bulk', 'b');
select ev_id > 0 as has_id, ev_txid > 0 as has_txid from :pfx where ev_type = 'bulk';
