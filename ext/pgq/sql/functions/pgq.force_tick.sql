-- ----------------------------------------------------------------------
-- pgq.force_tick(i_queue_name)
--     Make the next ticker run tick this queue, by pushing its event
--     sequence far enough ahead to look like many new events.  Ignored
--     for queues with an external or paused ticker.  Call, then poll
--     until the latest tick id differs from the one returned.
-- Returns: the queue's latest tick id now (NULL for an unknown queue).
-- ----------------------------------------------------------------------
create or replace function pgq.force_tick(i_queue_name text)
returns bigint as $$
declare
    q       record;
    seq     regclass;
    last_id bigint;
begin
    select queue_id, queue_event_seq, queue_ticker_max_count into q
      from pgq.queue
     where queue_name = i_queue_name
       and not queue_external_ticker and not queue_ticker_paused;
    if found then
        seq := pgq.quote_fqname(q.queue_event_seq)::regclass;
        perform setval(seq, nextval(seq) + q.queue_ticker_max_count * 2 + 1000);
    end if;

    select t.tick_id into last_id
      from pgq.tick t, pgq.queue qq
     where qq.queue_name = i_queue_name and t.tick_queue = qq.queue_id
     order by t.tick_queue desc, t.tick_id desc limit 1;
    return last_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
