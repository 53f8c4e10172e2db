create or replace function pgq_node.set_subscriber_watermark(
    in i_queue_name text,
    in i_node_name text,
    in i_watermark bigint,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_subscriber_watermark(3)
--
--      Called on a provider by a subscriber's worker: the lowest tick its
--      subtree still needs.  It holds this node's data back, and flows on
--      up to the root, which turns the minimum into the global watermark.
--
-- Returns:
--      100 - watermark already set
--      200 - .<node>.watermark set to <tick>
--      404 - node <node> not subscribed to queue  (sic: upstream's note,
--            with the queue name left out)
--      405 - watermark must not be moved backwards
-- ----------------------------------------------------------------------
declare
    wm_name text;
    cur bigint;
begin
    wm_name := '.' || i_node_name || '.watermark';
    select s.sub_last_tick into cur
      from pgq.subscription s, pgq.consumer c, pgq.queue q
     where q.queue_name = i_queue_name and c.co_name = wm_name
       and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id
       for update of s;
    if not found then
        select 404, 'node ' || i_node_name || ' not subscribed to queue '
          into ret_code, ret_note;
        return;
    end if;

    if i_watermark < cur then
        select 405, 'watermark must not be moved backwards'
          into ret_code, ret_note;
        return;
    elsif i_watermark = cur then
        select 100, 'watermark already set' into ret_code, ret_note;
        return;
    end if;

    perform pgq.register_consumer_at(i_queue_name, wm_name, i_watermark);
    select 200, wm_name || ' set to ' || i_watermark into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
