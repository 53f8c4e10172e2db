create or replace function pgq_node.unregister_location(
    in i_queue_name text,
    in i_node_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.unregister_location(2)
--
--      Remove a member of the cascade (and its subscription here, if it
--      has one).  On the root the removal also goes into the queue as a
--      pgq.unregister-location event.
--
-- Returns:
--      200 - Ok
--      301 - Location not found: <queue>/<node>
--      403 - Cannot drop node's own location
--      403 - Cannot drop location of node's parent
-- ----------------------------------------------------------------------
declare
    node record;
begin
    select n.node_name, n.node_type, s.provider_node into node
      from pgq_node.node_info n
      left join pgq_node.local_state s
        on (s.queue_name = n.queue_name and s.consumer_name = n.worker_name)
     where n.queue_name = i_queue_name
       for update of n;
    if found then
        if node.node_name = i_node_name then
            select 403, 'Cannot drop node''s own location' into ret_code, ret_note;
            return;
        end if;
        if node.provider_node = i_node_name then
            select 403, 'Cannot drop location of node''s parent' into ret_code, ret_note;
            return;
        end if;
    end if;

    perform 1 from pgq_node.subscriber_info
      where queue_name = i_queue_name and subscriber_node = i_node_name;
    if found then
        perform pgq_node.unregister_subscriber(i_queue_name, i_node_name);
    end if;

    if node.node_type = 'root' then
        perform pgq.insert_event(i_queue_name, 'pgq.unregister-location',
                                 i_node_name, i_queue_name, null, null, null);
    end if;

    delete from pgq_node.node_location
     where queue_name = i_queue_name and node_name = i_node_name;
    if found then
        select 200, 'Ok' into ret_code, ret_note;
    else
        select 301, 'Location not found: ' || i_queue_name || '/' || i_node_name
          into ret_code, ret_note;
    end if;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
