-- ----------------------------------------------------------------------
-- pgq.event_retry_raw(x_queue, x_consumer, x_retry_after, x_ev_id,
--                     x_ev_time, x_ev_retry, x_ev_type, x_ev_data,
--                     x_ev_extra1..4)
--     Put an arbitrary event into the retry queue for one consumer.  A
--     NULL x_ev_id takes the next id of the queue's event sequence.
-- Returns: the event id.
-- Errors: 'consumer not registered'; a duplicate (owner, id) raises the
--     unique violation.
-- ----------------------------------------------------------------------
create or replace function pgq.event_retry_raw(
    x_queue text, x_consumer text, x_retry_after timestamptz,
    x_ev_id bigint, x_ev_time timestamptz, x_ev_retry integer,
    x_ev_type text, x_ev_data text, x_ev_extra1 text, x_ev_extra2 text,
    x_ev_extra3 text, x_ev_extra4 text)
returns bigint as $$
declare
    s       record;
    id      bigint;
begin
    select q.queue_id, q.queue_event_seq, sub.sub_id into s
      from pgq.queue q, pgq.consumer co, pgq.subscription sub
     where q.queue_name = x_queue and co.co_name = x_consumer
       and sub.sub_queue = q.queue_id and sub.sub_consumer = co.co_id;
    if not found then
        raise exception 'consumer not registered';
    end if;

    id := x_ev_id;
    if id is null then
        id := nextval(pgq.quote_fqname(s.queue_event_seq)::regclass);
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time,
                                 ev_owner, ev_retry, ev_type, ev_data,
                                 ev_extra1, ev_extra2, ev_extra3, ev_extra4)
        values (x_retry_after, s.queue_id, id, x_ev_time, s.sub_id,
                x_ev_retry, x_ev_type, x_ev_data,
                x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);
    return id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
