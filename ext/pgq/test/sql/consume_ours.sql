-- Reading a batch: events come in ev_id order whatever order they lie in
-- the event table, through get_batch_events and get_batch_cursor alike
-- (the C build reads a batch without its sort when the rows already come
-- in ev_id order, and sorts when they do not: both cases here).
\set VERBOSITY terse
select pgq.create_queue('rq');
select pgq.set_queue_config('rq', 'ticker_max_count', '0');
select pgq.set_queue_config('rq', 'ticker_max_lag', '0');
select pgq.set_queue_config('rq', 'ticker_idle_period', '0');
select pgq.register_consumer('rq', 'rc');
-- the ids of the next n rows of a cursor
create function pg_temp.fetch_ids(c refcursor, n int) returns setof bigint as $$
declare
    r record;
begin
    for i in 1 .. n loop
        fetch c into r;
        exit when not found;
        return next r.ev_id;
    end loop;
end $$ language plpgsql;

-- in order: ids as the sequence gives them
select count(pgq.insert_event('rq', 'in_order', i::text)) from generate_series(1, 5) i;
select pgq.ticker('rq') > 0 as ticked;
select pgq.next_batch('rq', 'rc') as b \gset
select ev_data from pgq.get_batch_events(:b);
begin;
select ev_data from pgq.get_batch_cursor(:b, 'rcur', 2);
select pg_temp.fetch_ids('rcur', 10);
commit;
select pgq.finish_batch(:b);

-- out of order: ids given, the table holds 9000, 100, 5000, 7000, 200 in
-- that order; the batch lists them by id
begin;
select pgq.insert_event_raw('rq', id, now(), null, null, 'given', id::text,
                            null, null, null, null)
  from unnest(array[9000, 100, 5000, 7000, 200]) id;
commit;
select pgq.ticker('rq') > 0 as ticked;
select pgq.next_batch('rq', 'rc') as b \gset
select ev_id, ev_data from pgq.get_batch_events(:b);
begin;
select ev_id from pgq.get_batch_cursor(:b, 'rcur', 1);
select pg_temp.fetch_ids('rcur', 2);
select pg_temp.fetch_ids('rcur', 10);
commit;
-- with a condition of the caller's (read the same way as before)
begin;
select ev_id from pgq.get_batch_cursor(:b, 'rcur', 10, 'ev_id < 6000');
commit;
select pgq.finish_batch(:b);

-- an empty batch reads empty
select pgq.ticker('rq') > 0 as ticked;
select pgq.next_batch('rq', 'rc') as b \gset
select count(*) from pgq.get_batch_events(:b);
begin;
select count(*) from pgq.get_batch_cursor(:b, 'rcur', 10);
commit;
select pgq.finish_batch(:b);
select pgq.unregister_consumer('rq', 'rc');
select pgq.drop_queue('rq');

-- pgq._batch_read_sql, behind get_batch_cursor, is for consumers only
create role batch_nobody;
create role batch_reader in role pgq_reader;
set role batch_nobody;
select pgq._batch_read_sql('select 1 order by 1') is not null as allowed;
set role batch_reader;
select pgq._batch_read_sql('select 1 order by 1') is not null as allowed;
reset role;
drop role batch_nobody;
drop role batch_reader;
