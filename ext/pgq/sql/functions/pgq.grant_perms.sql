-- ----------------------------------------------------------------------
-- pgq.grant_perms(x_queue_name)
--     Give a queue's objects the privileges pgq.event_template has:
--     the tick and event sequences become readable by PUBLIC (so
--     get_queue_info works for everyone), pgq_admin may use the event
--     sequence, and the parent and child event tables copy the template's
--     table privileges.
-- Returns: 1.
-- Errors: 'Queue not found'.
-- ----------------------------------------------------------------------
create or replace function pgq.grant_perms(x_queue_name text)
returns integer as $$
declare
    q       record;
    pos     integer;
    schem   text;
    tbl     text;
begin
    select queue_data_pfx, queue_ntables, queue_event_seq, queue_tick_seq
      into q from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Queue not found';
    end if;

    pos := strpos(q.queue_data_pfx, '.');
    if pos > 0 then
        schem := substr(q.queue_data_pfx, 1, pos - 1);
        tbl := substr(q.queue_data_pfx, pos + 1);
    else
        schem := 'public';
        tbl := q.queue_data_pfx;
    end if;

    execute 'grant select on sequence ' || pgq.quote_fqname(q.queue_tick_seq)
        || ' to public';
    execute 'grant select on sequence ' || pgq.quote_fqname(q.queue_event_seq)
        || ' to public';
    execute 'grant usage on sequence ' || pgq.quote_fqname(q.queue_event_seq)
        || ' to pgq_admin';

    perform pgq._grant_perms_from('pgq', 'event_template', schem, tbl);
    for i in 0 .. (q.queue_ntables - 1) loop
        perform pgq._grant_perms_from('pgq', 'event_template', schem,
                                      tbl || '_' || i::text);
    end loop;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
