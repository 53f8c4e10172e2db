create or replace function pgq_node.set_global_watermark(
    in i_queue_name text,
    in i_watermark bigint,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_global_watermark(2)
--
--      Move the tick below which no node of the cascade needs data.
--        root   - NULL means this node's local watermark (the minimum of
--                 the whole tree); the value also goes into the queue as a
--                 pgq.global-watermark event, so every branch follows,
--                 and the root worker's position moves with it.
--        branch - applies the root's value (skipped when the tick is not
--                 here, i.e. older than this node).
--        leaf   - nothing to do.
--
-- Returns:
--      100 - Ignoring global watermark in leaf
--      200 - Global watermark set to <tick> | Skipping global watermark
--            update to <tick>
--      404 - Queue<queue> not found  (upstream's spelling)
--      500 - bad usage: wm=null on branch node
-- ----------------------------------------------------------------------
declare
    n record;
    info record;
    wm bigint := i_watermark;
begin
    select ni.node_type, ni.worker_name into n
      from pgq_node.node_info ni
     where ni.queue_name = i_queue_name
       for update;
    if not found then
        select 404, 'Queue' || i_queue_name || ' not found' into ret_code, ret_note;
        return;
    end if;

    if n.node_type = 'leaf' then
        select 100, 'Ignoring global watermark in leaf' into ret_code, ret_note;
        return;
    end if;

    if n.node_type = 'root' then
        if wm is null then
            select g.ret_code, g.ret_note, g.local_watermark into info
              from pgq_node.get_node_info(i_queue_name) g;
            if info.ret_code >= 300 then
                select info.ret_code, info.ret_note into ret_code, ret_note;
                return;
            end if;
            wm := info.local_watermark;
            if wm is null then
                raise exception 'local_watermark=NULL from get_node_info()?';
            end if;
        end if;
        perform pgq.register_consumer_at(i_queue_name, '.global_watermark', wm);
        perform pgq.insert_event(i_queue_name, 'pgq.global-watermark',
                                 wm::text, i_queue_name, null, null, null);
        update pgq_node.local_state
           set last_tick_id = wm
         where queue_name = i_queue_name and consumer_name = n.worker_name;
    else
        if wm is null then
            select 500, 'bad usage: wm=null on branch node' into ret_code, ret_note;
            return;
        end if;
        perform 1 from pgq.tick t, pgq.queue q
          where q.queue_name = i_queue_name and t.tick_queue = q.queue_id
            and t.tick_id = wm;
        if not found then
            select 200, 'Skipping global watermark update to ' || wm
              into ret_code, ret_note;
            return;
        end if;
        perform pgq.register_consumer_at(i_queue_name, '.global_watermark', wm);
    end if;

    select 200, 'Global watermark set to ' || wm into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
