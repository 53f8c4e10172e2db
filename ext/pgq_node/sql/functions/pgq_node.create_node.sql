create or replace function pgq_node.create_node(
    in i_queue_name text,
    in i_node_type text,
    in i_node_name text,
    in i_worker_name text,
    in i_provider_name text,
    in i_global_watermark bigint,
    in i_combined_queue text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.create_node(7)
--
--      Make this database a node of the cascaded queue.  The node's own
--      location must be registered first.
--        root   - creates the pgq queue; the global watermark starts at
--                 its first tick.
--        branch - creates the pgq queue with an external ticker and
--                 inserts disabled (the worker copies the provider's
--                 events and ticks in), starting at the provider's global
--                 watermark tick.
--        leaf   - no queue; a merge leaf names the local queue its events
--                 go into (i_combined_queue).
--      The worker is registered in local_state at the watermark.
--
-- Returns:
--      200 - Node "<node>" initialized for queue "<queue>" with type "<type>"
--      401 - Node already initialized | unexpected args for root |
--            provider not set for branch | global watermark not set for
--            branch | non-existing queue on leaf side: <q> |
--            bad node type: <type>
-- ----------------------------------------------------------------------
declare
    wm_consumer constant text := '.global_watermark';
    global_wm bigint;
    provider text;
begin
    perform 1 from pgq_node.node_info where queue_name = i_queue_name;
    if found then
        select 401, 'Node already initialized' into ret_code, ret_note;
        return;
    end if;

    if i_node_type = 'root' then
        if coalesce(i_provider_name, i_global_watermark::text,
                    i_combined_queue) is not null then
            select 401, 'unexpected args for ' || i_node_type
              into ret_code, ret_note;
            return;
        end if;
        perform pgq.create_queue(i_queue_name);
        perform pgq.register_consumer(i_queue_name, wm_consumer);
        select s.sub_last_tick into global_wm
          from pgq.subscription s, pgq.consumer c, pgq.queue q
         where q.queue_name = i_queue_name and c.co_name = wm_consumer
           and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id;
        provider := i_node_name;
    elsif i_node_type = 'branch' then
        if i_provider_name is null then
            select 401, 'provider not set for branch' into ret_code, ret_note;
            return;
        end if;
        if i_global_watermark is null then
            select 401, 'global watermark not set for branch'
              into ret_code, ret_note;
            return;
        end if;
        perform pgq.create_queue(i_queue_name);
        update pgq.queue
           set queue_external_ticker = true, queue_disable_insert = true
         where queue_name = i_queue_name;
        if i_global_watermark > 1 then
            perform pgq.ticker(i_queue_name, i_global_watermark, now(), 1);
        end if;
        perform pgq.register_consumer_at(i_queue_name, wm_consumer,
                                         i_global_watermark);
        global_wm := i_global_watermark;
        provider := i_provider_name;
    elsif i_node_type = 'leaf' then
        if i_combined_queue is not null then
            perform 1 from pgq.queue where queue_name = i_combined_queue;
            if not found then
                select 401, 'non-existing queue on leaf side: ' || i_combined_queue
                  into ret_code, ret_note;
                return;
            end if;
        end if;
        global_wm := i_global_watermark;
        provider := i_provider_name;
    else
        select 401, 'bad node type: ' || coalesce(i_node_type, 'NULL')
          into ret_code, ret_note;
        return;
    end if;

    insert into pgq_node.node_info
           (queue_name, node_type, node_name, worker_name, combined_queue)
    values (i_queue_name, i_node_type, i_node_name, i_worker_name,
            i_combined_queue);

    select f.ret_code, f.ret_note into ret_code, ret_note
      from pgq_node.register_consumer(i_queue_name, i_worker_name, provider,
                                      global_wm) f;
    if ret_code <> 200 then
        return;
    end if;

    select 200, 'Node "' || i_node_name || '" initialized for queue "'
                || i_queue_name || '" with type "' || i_node_type || '"'
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
