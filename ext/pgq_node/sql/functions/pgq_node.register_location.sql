create or replace function pgq_node.register_location(
    in i_queue_name text,
    in i_node_name text,
    in i_node_location text,
    in i_dead boolean,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.register_location(4)
--
--      Add or update a member of the cascade.  An unknown node with a
--      NULL location is ignored; a known one keeps its location when the
--      new one is NULL (that is how a node is tagged dead or alive).  On
--      the root the change also goes into the queue as a
--      pgq.location-info event, so every node learns it.
--
-- Returns:
--      200 - Location registered
-- ----------------------------------------------------------------------
declare
    node record;
begin
    select n.node_type into node
      from pgq_node.node_info n
     where n.queue_name = i_queue_name
       for update;

    update pgq_node.node_location
       set node_location = coalesce(i_node_location, node_location),
           dead = i_dead
     where queue_name = i_queue_name and node_name = i_node_name;
    if not found and i_node_location is not null then
        insert into pgq_node.node_location (queue_name, node_name, node_location, dead)
        values (i_queue_name, i_node_name, i_node_location, i_dead);
    end if;

    if node.node_type = 'root' then
        perform pgq.insert_event(i_queue_name, 'pgq.location-info',
                                 i_node_name, i_queue_name, i_node_location,
                                 i_dead::text, null);
    end if;

    select 200, 'Location registered' into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
