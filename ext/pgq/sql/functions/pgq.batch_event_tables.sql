-- ----------------------------------------------------------------------
-- pgq.batch_event_tables(x_batch_id)
--     The event tables a batch may have rows in.  Rotation step 1 moves
--     inserts to the next table at txid step1; step 2 records a later
--     txid once step 1 has committed.  A batch that ended before step1
--     reads only the previous table; one that started after step2 reads
--     only the current table; anything else reads both.
-- Returns: unquoted table names, the previous table before the current.
-- Errors: 'Cannot find data for batch <id>'.
-- ----------------------------------------------------------------------
create or replace function pgq.batch_event_tables(x_batch_id bigint)
returns setof text as $$
declare
    b       record;
    prev    text;
    cur     text;
begin
    select pg_catalog.txid_snapshot_xmin(last.tick_snapshot) as tx_min,
           pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as tx_max,
           q.queue_data_pfx, q.queue_ntables, q.queue_cur_table,
           q.queue_switch_step1, q.queue_switch_step2
      into b
      from pgq.tick last, pgq.tick cur, pgq.subscription s, pgq.queue q
     where s.sub_batch = x_batch_id
       and cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
       and last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick
       and q.queue_id = s.sub_queue;
    if not found then
        raise exception 'Cannot find data for batch %', x_batch_id;
    end if;

    cur := b.queue_data_pfx || '_' || b.queue_cur_table::text;
    prev := b.queue_data_pfx || '_'
        || ((b.queue_cur_table + b.queue_ntables - 1) % b.queue_ntables)::text;

    if b.tx_max < b.queue_switch_step1 then
        return next prev;
    elsif b.queue_switch_step2 is not null and b.tx_min > b.queue_switch_step2 then
        return next cur;
    else
        return next prev;
        return next cur;
    end if;
    return;
end;
$$ language plpgsql;
