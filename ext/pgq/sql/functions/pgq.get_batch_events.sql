-- ----------------------------------------------------------------------
-- pgq.get_batch_events(x_batch_id)
--     All events of an open batch, ordered by ev_id.  For large batches
--     prefer pgq.get_batch_cursor().
-- Errors: 'batch not found'.
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint,
    out ev_retry int4, out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text,
    out ev_extra4 text)
returns setof record as $$
begin
    return query execute pgq._batch_read_sql(pgq.batch_event_sql(x_batch_id));
end;
$$ language plpgsql;
