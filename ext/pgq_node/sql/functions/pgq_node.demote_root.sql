create or replace function pgq_node.demote_root(
    in i_queue_name text,
    in i_step int4,
    in i_new_provider text,
    out ret_code int4,
    out ret_note text,
    out last_tick int8)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.demote_root(3)
--
--      Turn the root into a branch, in three steps, each its own
--      transaction, called in order:
--        1 - writing disabled: producers are refused (except with
--            session_replication_role = replica) and pgqd stops ticking;
--        2 - the last tick: waits for running writers (exclusive lock on
--            the event tables), then ticks once more;
--        3 - the node becomes a branch reading from i_new_provider at the
--            newest tick.
--
-- Returns:
--      200 - Step 1: Writing disabled for: <queue> |
--            Step 2: Inserted last tick: <queue> (last_tick = the tick) |
--            Step 3: Demoted root to branch: <queue>
--      301 - Node not root
--      404 - Node not initialized for queue: <queue>
-- Errors:
--      steps in wrong order; incorrect step number
-- ----------------------------------------------------------------------
declare
    n record;
    q record;
    new_tick bigint;
    new_seq bigint;
begin
    select ni.node_type, ni.worker_name into n
      from pgq_node.node_info ni
     where ni.queue_name = i_queue_name
       for update;
    if not found then
        select 404, 'Node not initialized for queue: ' || i_queue_name
          into ret_code, ret_note;
        return;
    end if;
    if n.node_type <> 'root' then
        select 301, 'Node not root' into ret_code, ret_note;
        return;
    end if;

    select pq.queue_id, pq.queue_data_pfx, pq.queue_tick_seq,
           pq.queue_event_seq,
           pq.queue_disable_insert and pq.queue_external_ticker as disabled
      into q
      from pgq.queue pq
     where pq.queue_name = i_queue_name;
    if i_step > 1 and not q.disabled then
        raise exception 'steps in wrong order';
    end if;

    if i_step = 1 then
        update pgq.queue
           set queue_disable_insert = true, queue_external_ticker = true
         where queue_name = i_queue_name;
        select 200, 'Step 1: Writing disabled for: ' || i_queue_name
          into ret_code, ret_note;
    elsif i_step = 2 then
        set local session_replication_role = 'replica';
        -- wait for the transactions still writing, keep new ones out
        execute 'lock table ' || pgq.quote_fqname(q.queue_data_pfx)
             || ' in exclusive mode';
        new_tick := nextval(pgq.quote_fqname(q.queue_tick_seq)::regclass);
        new_seq := nextval(pgq.quote_fqname(q.queue_event_seq)::regclass);
        perform pgq.ticker(i_queue_name, new_tick, now(), new_seq);
        last_tick := new_tick;
        select 200, 'Step 2: Inserted last tick: ' || i_queue_name
          into ret_code, ret_note;
    elsif i_step = 3 then
        last_tick := pgq_node._queue_top_tick(i_queue_name);
        update pgq_node.node_info
           set node_type = 'branch'
         where queue_name = i_queue_name;
        update pgq_node.local_state
           set provider_node = i_new_provider, last_tick_id = last_tick,
               uptodate = false
         where queue_name = i_queue_name and consumer_name = n.worker_name;
        select 200, 'Step 3: Demoted root to branch: ' || i_queue_name
          into ret_code, ret_note;
    else
        raise exception 'incorrect step number';
    end if;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
