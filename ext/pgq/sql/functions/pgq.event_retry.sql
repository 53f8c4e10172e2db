-- ----------------------------------------------------------------------
-- pgq.event_retry(x_batch_id, x_event_id, x_retry_time)
--     Put one event of an open batch into the retry queue, to be
--     re-inserted at x_retry_time for the batch's subscription only,
--     with ev_retry increased by one.
-- Returns: 1, or 0 if the event is already waiting for a retry.
-- Errors: 'event not found' (also for an unknown batch).
-- ----------------------------------------------------------------------
create or replace function pgq.event_retry(
    x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns integer as $$
begin
    perform 1 from pgq.subscription where sub_batch = x_batch_id;
    if not found then
        raise exception 'event not found';
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time,
                                 ev_txid, ev_owner, ev_retry, ev_type, ev_data,
                                 ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select x_retry_time, s.sub_queue, e.ev_id, e.ev_time, null, s.sub_id,
           coalesce(e.ev_retry, 0) + 1, e.ev_type, e.ev_data,
           e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4
      from pgq.get_batch_events(x_batch_id) e, pgq.subscription s
     where s.sub_batch = x_batch_id and e.ev_id = x_event_id;
    if not found then
        raise exception 'event not found';
    end if;
    return 1;
exception
    when unique_violation then
        return 0;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- ----------------------------------------------------------------------
-- pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds)
--     The same, retried x_retry_seconds from now.
-- ----------------------------------------------------------------------
create or replace function pgq.event_retry(
    x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns integer as $$
begin
    return pgq.event_retry(x_batch_id, x_event_id,
        current_timestamp + pg_catalog.make_interval(secs => x_retry_seconds));
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
