create or replace function pgq_node.register_subscriber(
    in i_queue_name text,
    in i_remote_node_name text,
    in i_remote_worker_name text,
    in i_custom_tick_id int8,
    out ret_code int4,
    out ret_note text,
    out global_watermark bigint)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.register_subscriber(4)
--
--      Called on a provider for a node that will read from it: registers
--      the node's worker (at i_custom_tick_id, default the global
--      watermark) and its watermark consumer (at the global watermark) as
--      pgq consumers here.  A node already subscribed fails (unregister
--      it first).
--
-- Returns:
--      200 - Subscriber registered: <node> (global_watermark set)
--      401 - Cannot subscribe to leaf node
--      404 - Unknown queue: <queue>
-- ----------------------------------------------------------------------
declare
    n record;
    wm_name text;
begin
    select ni.node_type into n
      from pgq_node.node_info ni
     where ni.queue_name = i_queue_name
       for update;
    if not found then
        select 404, 'Unknown queue: ' || i_queue_name into ret_code, ret_note;
        return;
    end if;
    if n.node_type = 'leaf' then
        select 401, 'Cannot subscribe to leaf node' into ret_code, ret_note;
        return;
    end if;

    global_watermark := (pgq_node._queue_watermarks(i_queue_name)).global_watermark;
    wm_name := '.' || i_remote_node_name || '.watermark';
    perform pgq.register_consumer_at(i_queue_name, wm_name, global_watermark);
    perform pgq.register_consumer_at(i_queue_name, i_remote_worker_name,
                                     coalesce(i_custom_tick_id, global_watermark));

    insert into pgq_node.subscriber_info
           (queue_name, subscriber_node, worker_name, watermark_name)
    values (i_queue_name, i_remote_node_name, i_remote_worker_name, wm_name);

    select 200, 'Subscriber registered: ' || i_remote_node_name
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
