-- ----------------------------------------------------------------------
-- pgq._insert_tick(i_queue_id, i_queue_name, i_tick_seq, i_last_tick,
--                  i_event_seq)
--     Internal: insert a tick of the queue now, with this transaction's
--     snapshot and the event sequence value i_event_seq, and NOTIFY
--     pgq_tick.  A tick sequence that went back below the last tick (a
--     crash lost its state) is moved on first.  Used by pgq.ticker(text)
--     and pgq.ticker_busy().
-- Returns: the new tick id.
-- ----------------------------------------------------------------------
create or replace function pgq._insert_tick(
    i_queue_id int4, i_queue_name text, i_tick_seq text, i_last_tick bigint,
    i_event_seq bigint)
returns bigint as $$
declare
    new_id bigint;
begin
    new_id := nextval(pgq.quote_fqname(i_tick_seq)::regclass);
    if new_id <= i_last_tick then
        new_id := pgq.seq_setval(i_tick_seq, i_last_tick + 1);
    end if;
    insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
        values (i_queue_id, new_id, i_event_seq);
    -- wake LISTENing consumers (payload limit: 8000 bytes)
    if octet_length(i_queue_name) < 8000 then
        perform pg_catalog.pg_notify('pgq_tick', i_queue_name);
    end if;
    return new_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
