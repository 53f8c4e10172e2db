create or replace function pgq_node.unregister_subscriber(
    in i_queue_name text,
    in i_remote_node_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.unregister_subscriber(2)
--
--      Called on a provider: forget a node that read from it, with its
--      worker's and watermark's pgq consumers (and the data they held
--      back).
--
-- Returns:
--      200 - Subscriber unregistered: <node>
--      304 - Subscriber not found
-- ----------------------------------------------------------------------
declare
    s record;
begin
    delete from pgq_node.subscriber_info
     where queue_name = i_queue_name and subscriber_node = i_remote_node_name
    returning worker_name, watermark_name into s;
    if not found then
        select 304, 'Subscriber not found' into ret_code, ret_note;
        return;
    end if;

    perform pgq.unregister_consumer(i_queue_name, s.watermark_name);
    perform pgq.unregister_consumer(i_queue_name, s.worker_name);

    select 200, 'Subscriber unregistered: ' || i_remote_node_name
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
