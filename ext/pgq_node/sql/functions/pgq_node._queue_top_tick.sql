create or replace function pgq_node._queue_top_tick(i_queue_name text)
returns bigint as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node._queue_top_tick(1)
--
--      Internal: the newest tick of a local pgq queue (NULL if none).
-- ----------------------------------------------------------------------
    select t.tick_id
      from pgq.tick t, pgq.queue q
     where q.queue_name = i_queue_name and t.tick_queue = q.queue_id
     order by t.tick_queue desc, t.tick_id desc
     limit 1;
$$ language sql stable security definer set search_path = pg_catalog, pg_temp;
