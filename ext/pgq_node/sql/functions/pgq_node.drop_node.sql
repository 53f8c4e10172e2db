create or replace function pgq_node.drop_node(
    in i_queue_name text,
    in i_node_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.drop_node(2)
--
--      Drop a node from this database's view of the cascade.  The local
--      node (or leftovers of one): its subscribers, consumers, node row,
--      pgq queue and every other location go.  Another node: its
--      subscription here goes.  Either way its location goes last.
--
-- Returns:
--      200 - Node dropped: <node>
--      405 - Cannot drop provider node: <node>
-- ----------------------------------------------------------------------
declare
    node record;
    is_local boolean;
begin
    select n.node_name, s.provider_node into node
      from pgq_node.node_info n
      left join pgq_node.local_state s
        on (s.queue_name = n.queue_name and s.consumer_name = n.worker_name)
     where n.queue_name = i_queue_name
       for update of n;
    if not found then
        is_local := true;
    elsif node.node_name = i_node_name then
        is_local := true;
    elsif node.provider_node = i_node_name then
        select 405, 'Cannot drop provider node: ' || i_node_name
          into ret_code, ret_note;
        return;
    else
        is_local := false;
    end if;

    if is_local then
        delete from pgq_node.subscriber_info where queue_name = i_queue_name;
        delete from pgq_node.local_state where queue_name = i_queue_name;
        delete from pgq_node.node_info where queue_name = i_queue_name;
        perform 1 from pgq.queue where queue_name = i_queue_name;
        if found then
            perform pgq.drop_queue(i_queue_name, true);
        end if;
        delete from pgq_node.node_location
         where queue_name = i_queue_name and node_name <> i_node_name;
    else
        perform pgq_node.unregister_subscriber(i_queue_name, i_node_name);
    end if;

    perform pgq_node.unregister_location(i_queue_name, i_node_name);

    select 200, 'Node dropped: ' || i_node_name into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
