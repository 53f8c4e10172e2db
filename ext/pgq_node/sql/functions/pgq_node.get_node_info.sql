create or replace function pgq_node.get_node_info(
    in i_queue_name text,
    out ret_code int4,
    out ret_note text,
    out node_type text,
    out node_name text,
    out global_watermark bigint,
    out local_watermark bigint,
    out provider_node text,
    out provider_location text,
    out combined_queue text,
    out combined_type text,
    out worker_name text,
    out worker_paused bool,
    out worker_uptodate bool,
    out worker_last_tick bigint,
    out node_attrs text,
    out target_for text[])
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.get_node_info(1)
--
--      This node's view of itself: type, name, worker state, provider.
--      Root and branch: local_watermark is the lowest position of the
--      queue's consumers (subscribers' reported watermarks included),
--      global_watermark the position of .global_watermark, target_for the
--      local queues whose combined queue this is.  Leaf: local_watermark
--      is the worker's last tick.  Root: worker_last_tick is the queue's
--      newest tick.
--
-- Returns:
--      100 - Ok
--      404 - Unknown queue: <queue>
-- ----------------------------------------------------------------------
declare
    w record;
begin
    select 100, 'Ok', n.node_type, n.node_name, n.combined_queue, c.node_type,
           n.worker_name, n.node_attrs, s.provider_node, l.node_location,
           s.paused, s.uptodate, s.last_tick_id
      into ret_code, ret_note, node_type, node_name, combined_queue,
           combined_type, worker_name, node_attrs, provider_node,
           provider_location, worker_paused, worker_uptodate,
           worker_last_tick
      from pgq_node.node_info n
      left join pgq_node.node_info c on (c.queue_name = n.combined_queue)
      left join pgq_node.local_state s
        on (s.queue_name = n.queue_name and s.consumer_name = n.worker_name)
      left join pgq_node.node_location l
        on (l.queue_name = n.queue_name and l.node_name = s.provider_node)
     where n.queue_name = i_queue_name;
    if not found then
        select 404, 'Unknown queue: ' || i_queue_name into ret_code, ret_note;
        return;
    end if;

    if node_type in ('root', 'branch') then
        select * into w from pgq_node._queue_watermarks(i_queue_name);
        global_watermark := w.global_watermark;
        local_watermark := w.local_watermark;
        select array_agg(t.queue_name order by t.queue_name) into target_for
          from pgq_node.node_info t
         where t.combined_queue = i_queue_name;
        if node_type = 'root' then
            worker_last_tick := pgq_node._queue_top_tick(i_queue_name);
        end if;
    else
        local_watermark := worker_last_tick;
    end if;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
