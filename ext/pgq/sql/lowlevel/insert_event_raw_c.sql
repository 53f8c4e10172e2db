-- ----------------------------------------------------------------------
-- pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry,
--                      ev_type, ev_data, ev_extra1..4)
--     The insert path of every producer, in C (module pgq_lowlevel,
--     src/pgq_lowlevel.c).  Always advances the queue's event sequence,
--     before any check; NULL ev_id takes that value, NULL ev_time now().
-- Returns: the event id.
-- Errors: 'Queue name must not be NULL'; 'No such queue'; 'Insert into
--     queue disallowed' (unless session_replication_role is replica);
--     'Queue '<q>' allows max <n> events from one TX'.
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event_raw(
    queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
as '$libdir/pgq_lowlevel', 'pgq_insert_event_raw'
language c;
