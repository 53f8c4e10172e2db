-- ----------------------------------------------------------------------
-- pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1..4)
--     Insert an event into the queue's current event table, stamped with
--     the current transaction's id and time.  Row-capture triggers call
--     this function by name, so a replaced definition is honoured.
--     C (module pgq_lowlevel, src/pgq_lowlevel.c), SECURITY DEFINER.  It
--     has no SET search_path: it runs only search_path-proof SQL, so the
--     hot path of every producer pays for no GUC switch.
-- Returns: the event id.
-- Errors: those of pgq.insert_event_raw.
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
as '$libdir/pgq_lowlevel', 'pgq_insert_event'
language c security definer;
