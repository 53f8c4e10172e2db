-- ----------------------------------------------------------------------
-- pgq.insert_event(queue_name, ev_type, ev_data)
--     Insert an event with the four extra fields NULL.
-- Returns: the event id.
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text)
returns bigint as $$
begin
    return pgq.insert_event($1, $2, $3, null, null, null, null);
end;
$$ language plpgsql;
