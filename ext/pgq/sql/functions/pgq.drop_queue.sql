-- ----------------------------------------------------------------------
-- pgq.drop_queue(x_queue_name, x_force)
--     Drop a queue with its event tables, ticks and sequences.  With
--     x_force every consumer is unregistered first; without it a queue
--     that still has consumers is refused.
-- Returns: 1.
-- Errors: 'No such event queue'; 'cannot drop queue, consumers still
--     attached'.
-- ----------------------------------------------------------------------
create or replace function pgq.drop_queue(x_queue_name text, x_force boolean)
returns integer as $$
declare
    q record;
    c record;
begin
    select queue_id, queue_data_pfx, queue_ntables, queue_event_seq,
           queue_tick_seq
      into q from pgq.queue where queue_name = x_queue_name for update;
    if not found then
        raise exception 'No such event queue';
    end if;

    if x_force then
        for c in select consumer_name from pgq.get_consumer_info(x_queue_name)
        loop
            perform pgq.unregister_consumer(x_queue_name, c.consumer_name);
        end loop;
    else
        perform 1 from pgq.subscription where sub_queue = q.queue_id;
        if found then
            raise exception 'cannot drop queue, consumers still attached';
        end if;
    end if;

    for i in 0 .. (q.queue_ntables - 1) loop
        execute 'drop table ' || pgq.quote_fqname(q.queue_data_pfx || '_' || i::text);
    end loop;
    execute 'drop table ' || pgq.quote_fqname(q.queue_data_pfx);

    delete from pgq.retry_queue where ev_queue = q.queue_id;
    delete from pgq.tick where tick_queue = q.queue_id;
    execute 'drop sequence ' || pgq.quote_fqname(q.queue_tick_seq);
    execute 'drop sequence ' || pgq.quote_fqname(q.queue_event_seq);
    delete from pgq.queue where queue_id = q.queue_id;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- ----------------------------------------------------------------------
-- pgq.drop_queue(x_queue_name)
--     drop_queue(x_queue_name, false): refuses while consumers exist.
-- ----------------------------------------------------------------------
create or replace function pgq.drop_queue(x_queue_name text)
returns integer as $$
begin
    return pgq.drop_queue(x_queue_name, false);
end;
$$ language plpgsql strict;
