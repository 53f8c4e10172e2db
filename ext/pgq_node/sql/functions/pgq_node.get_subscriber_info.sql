create or replace function pgq_node.get_subscriber_info(
    in i_queue_name text,
    out node_name text,
    out worker_name text,
    out node_watermark int8)
returns setof record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.get_subscriber_info(1)
--
--      The nodes that read from this one, by name, with the watermark each
--      last reported.
-- ----------------------------------------------------------------------
begin
    for node_name, worker_name, node_watermark in
        select si.subscriber_node, si.worker_name, s.sub_last_tick
          from pgq_node.subscriber_info si
          left join pgq.queue q on (q.queue_name = si.queue_name)
          left join pgq.consumer c on (c.co_name = si.watermark_name)
          left join pgq.subscription s
            on (s.sub_queue = q.queue_id and s.sub_consumer = c.co_id)
         where si.queue_name = i_queue_name
         order by 1
    loop
        return next;
    end loop;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
