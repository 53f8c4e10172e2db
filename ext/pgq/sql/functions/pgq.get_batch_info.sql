-- ----------------------------------------------------------------------
-- pgq.get_batch_info(x_batch_id)
--     Describe an open batch: its queue and consumer, start and end tick
--     ids and times, the end tick's age and both ticks' event sequence
--     values.
-- Returns: one row; all NULL for an unknown batch.
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_info(
    in x_batch_id bigint,
    out queue_name text, out consumer_name text,
    out batch_start timestamptz, out batch_end timestamptz,
    out prev_tick_id bigint, out tick_id bigint, out lag interval,
    out seq_start bigint, out seq_end bigint)
as $$
begin
    select q.queue_name, co.co_name, prev.tick_time, cur.tick_time,
           s.sub_last_tick, s.sub_next_tick,
           current_timestamp - cur.tick_time,
           prev.tick_event_seq, cur.tick_event_seq
      into queue_name, consumer_name, batch_start, batch_end,
           prev_tick_id, tick_id, lag, seq_start, seq_end
      from pgq.subscription s, pgq.tick cur, pgq.tick prev,
           pgq.queue q, pgq.consumer co
     where s.sub_batch = x_batch_id
       and prev.tick_queue = s.sub_queue and prev.tick_id = s.sub_last_tick
       and cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
       and q.queue_id = s.sub_queue and co.co_id = s.sub_consumer;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
