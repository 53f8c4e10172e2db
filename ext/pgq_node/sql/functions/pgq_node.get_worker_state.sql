create or replace function pgq_node.get_worker_state(
    in i_queue_name text,
    out ret_code int4,
    out ret_note text,
    out node_type text,
    out node_name text,
    out completed_tick bigint,
    out provider_node text,
    out provider_location text,
    out paused boolean,
    out uptodate boolean,
    out cur_error text,
    out worker_name text,
    out global_watermark bigint,
    out local_watermark bigint,
    out local_queue_top bigint,
    out combined_queue text,
    out combined_type text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.get_worker_state(1)
--
--      What the node's worker needs at the start of each round: its
--      position and remote-control flags, its provider's location, the
--      watermarks and the queue's newest tick (root and branch).
--
-- Returns:
--      100 - Ok
--      404 - Unknown queue: <queue> | Unknown consumer: <queue>/<worker> |
--            Unknown provider node: <queue>/<provider> |
--            Combinde queue node not found: <queue>  (upstream's spelling)
-- ----------------------------------------------------------------------
declare
    w record;
    cq text;
begin
    select n.worker_name, n.combined_queue into worker_name, cq
      from pgq_node.node_info n
     where n.queue_name = i_queue_name;
    combined_queue := cq;

    -- the worker's own state, with the same refusals
    select s.ret_code, s.ret_note, s.node_type, s.node_name, s.completed_tick,
           s.provider_node, s.provider_location, s.paused, s.uptodate,
           s.cur_error
      into ret_code, ret_note, node_type, node_name, completed_tick,
           provider_node, provider_location, paused, uptodate, cur_error
      from pgq_node.get_consumer_state(i_queue_name, worker_name) s;
    if ret_code >= 300 then
        return;
    end if;

    if cq is not null then
        select c.node_type into combined_type
          from pgq_node.node_info c
         where c.queue_name = cq;
        if not found then
            select 404, 'Combinde queue node not found: ' || cq
              into ret_code, ret_note;
            return;
        end if;
    end if;

    if node_type in ('root', 'branch') then
        select * into w from pgq_node._queue_watermarks(i_queue_name);
        global_watermark := w.global_watermark;
        local_watermark := w.local_watermark;
        local_queue_top := pgq_node._queue_top_tick(i_queue_name);
    else
        local_watermark := completed_tick;
    end if;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
