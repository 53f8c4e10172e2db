create or replace function pgq_node.maint_watermark(i_queue_name text)
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.maint_watermark(1)
--
--      pgqd's fallback (through pgq.maint_operations()): on the root,
--      publish the global watermark when it was last moved 5 minutes ago
--      or more, so data cleanup goes on without a root worker.
--
-- Returns:
--      0
-- ----------------------------------------------------------------------
declare
    lag interval;
begin
    perform 1 from pgq_node.node_info
      where queue_name = i_queue_name and node_type = 'root'
        for update;
    if not found then
        return 0;
    end if;

    select now() - t.tick_time into lag
      from pgq.subscription s, pgq.consumer c, pgq.queue q, pgq.tick t
     where q.queue_name = i_queue_name and c.co_name = '.global_watermark'
       and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id
       and t.tick_queue = q.queue_id and t.tick_id = s.sub_last_tick;
    if lag >= '5 minutes'::interval then
        perform pgq_node.set_global_watermark(i_queue_name, null);
    end if;
    return 0;
end;
$$ language plpgsql;
