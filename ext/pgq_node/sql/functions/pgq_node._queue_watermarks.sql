create or replace function pgq_node._queue_watermarks(
    in i_queue_name text,
    out global_watermark bigint,
    out local_watermark bigint)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node._queue_watermarks(1)
--
--      Internal: on a queue-carrying node, the position of
--      .global_watermark, and the lowest position of every other pgq
--      consumer of the queue (the top tick when there is none).
-- ----------------------------------------------------------------------
    select min(s.sub_last_tick) filter (where c.co_name = '.global_watermark'),
           coalesce(min(s.sub_last_tick) filter (where c.co_name <> '.global_watermark'),
                    pgq_node._queue_top_tick(i_queue_name))
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name;
$$ language sql stable security definer set search_path = pg_catalog, pg_temp;
