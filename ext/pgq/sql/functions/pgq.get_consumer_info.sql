-- ----------------------------------------------------------------------
-- pgq.get_consumer_info()
--     Every subscription of every queue.
-- ----------------------------------------------------------------------
create or replace function pgq.get_consumer_info(
    out queue_name text, out consumer_name text, out lag interval,
    out last_seen interval, out last_tick bigint, out current_batch bigint,
    out next_tick bigint, out pending_events bigint)
returns setof record as $$
begin
    return query select * from pgq.get_consumer_info(null, null);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- ----------------------------------------------------------------------
-- pgq.get_consumer_info(i_queue_name)
--     Every subscription of one queue (NULL: all).
-- ----------------------------------------------------------------------
create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    out queue_name text, out consumer_name text, out lag interval,
    out last_seen interval, out last_tick bigint, out current_batch bigint,
    out next_tick bigint, out pending_events bigint)
returns setof record as $$
begin
    return query select * from pgq.get_consumer_info(i_queue_name, null);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- ----------------------------------------------------------------------
-- pgq.get_consumer_info(i_queue_name, i_consumer_name)
--     Subscriptions filtered by queue and consumer (NULL: all), ordered
--     by queue and consumer name: lag is the age of the last finished
--     tick, last_seen the time since the consumer was last active,
--     pending_events the events since its last tick.  pgq_coop
--     sub-consumer rows have no last tick, hence NULL lag and pending.
-- ----------------------------------------------------------------------
create or replace function pgq.get_consumer_info(
    in i_queue_name text, in i_consumer_name text,
    out queue_name text, out consumer_name text, out lag interval,
    out last_seen interval, out last_tick bigint, out current_batch bigint,
    out next_tick bigint, out pending_events bigint)
returns setof record as $$
begin
    return query
    select q.queue_name, co.co_name,
           current_timestamp - t.tick_time,
           current_timestamp - s.sub_active,
           s.sub_last_tick, s.sub_batch, s.sub_next_tick,
           (select lt.tick_event_seq from pgq.tick lt
             where lt.tick_queue = q.queue_id
             order by lt.tick_queue desc, lt.tick_id desc limit 1)
             - t.tick_event_seq
      from pgq.subscription s
      join pgq.queue q on (q.queue_id = s.sub_queue)
      join pgq.consumer co on (co.co_id = s.sub_consumer)
      left join pgq.tick t
        on (t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick)
     where (i_queue_name is null or q.queue_name = i_queue_name)
       and (i_consumer_name is null or co.co_name = i_consumer_name)
     order by q.queue_name, co.co_name;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
