-- ----------------------------------------------------------------------
-- pgq.current_event_table(x_queue_name)
--     Name of the event table that receives inserts now, for bulk
--     producers that COPY into it.  Valid only in the current
--     transaction: rotation may switch tables afterwards.
-- Returns: unquoted 'schema.table', e.g. 'pgq.event_2_0'.
-- Errors: 'Event queue not found'; 'Writing to queue disabled' (unless
--     session_replication_role is replica).
-- ----------------------------------------------------------------------
create or replace function pgq.current_event_table(x_queue_name text)
returns text as $$
declare
    q record;
begin
    select queue_data_pfx, queue_cur_table, queue_disable_insert into q
      from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not found';
    end if;
    if q.queue_disable_insert
       and pg_catalog.current_setting('session_replication_role') <> 'replica'
    then
        raise exception 'Writing to queue disabled';
    end if;
    return q.queue_data_pfx || '_' || q.queue_cur_table::text;
end;
$$ language plpgsql;
