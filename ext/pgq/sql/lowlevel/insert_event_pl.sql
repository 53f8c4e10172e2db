-- ----------------------------------------------------------------------
-- pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1..4)
--     Insert an event into the queue's current event table, stamped with
--     the current transaction's id and time.  Row-capture triggers call
--     this function by name, so a replaced definition is honoured.
--     (PL-only build; the extension's is C: lowlevel/insert_event_c.sql.)
-- Returns: the event id.
-- Errors: those of pgq.insert_event_raw.
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
begin
    return pgq.insert_event_raw($1, null, pg_catalog.now(), null, null,
                                $2, $3, $4, $5, $6, $7);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
