create or replace function pgq_node.promote_branch(
    in i_queue_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.promote_branch(1)
--
--      Turn a branch into the root: producers may write again, pgqd ticks
--      the queue, tick ids go on from the newest tick, and the worker
--      reads from itself.
--
-- Returns:
--      200 - Branch node promoted to root
--      301 - Node not branch
--      404 - Node not initialized for queue: <queue>
-- ----------------------------------------------------------------------
declare
    n record;
    top bigint;
    tick_seq text;
begin
    select ni.node_type, ni.node_name, ni.worker_name into n
      from pgq_node.node_info ni
     where ni.queue_name = i_queue_name
       for update;
    if not found then
        select 404, 'Node not initialized for queue: ' || i_queue_name
          into ret_code, ret_note;
        return;
    end if;
    if n.node_type <> 'branch' then
        select 301, 'Node not branch' into ret_code, ret_note;
        return;
    end if;

    update pgq.queue
       set queue_disable_insert = false, queue_external_ticker = false
     where queue_name = i_queue_name
    returning queue_tick_seq into tick_seq;

    -- the tick sequence goes on from the newest tick, never back
    top := pgq_node._queue_top_tick(i_queue_name);
    if top > pgq.seq_getval(tick_seq) then
        perform pgq.seq_setval(tick_seq, top);
    end if;

    update pgq_node.node_info
       set node_type = 'root'
     where queue_name = i_queue_name;
    update pgq_node.local_state
       set provider_node = n.node_name, last_tick_id = top, uptodate = false
     where queue_name = i_queue_name and consumer_name = n.worker_name;

    select 200, 'Branch node promoted to root' into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
