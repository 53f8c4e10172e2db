create or replace function pgq_node.set_partition_watermark(
    in i_combined_queue_name text,
    in i_part_queue_name text,
    in i_watermark bigint,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_partition_watermark(3)
--
--      On a combined branch: move the position of the merge leaf of a
--      partition queue to the tick delivered through the combined queue,
--      so that it waits behind it.
--
-- Returns:
--      200 - Ok
--      201 - Part-queue does not exist
--      401 - Worker registration not found
-- ----------------------------------------------------------------------
declare
    part record;
begin
    select p.worker_name into part
      from pgq_node.node_info p
      join pgq_node.node_info c on (c.queue_name = p.combined_queue)
     where p.queue_name = i_part_queue_name
       and p.node_type = 'leaf'
       and p.combined_queue = i_combined_queue_name
       and c.node_type = 'branch';
    if not found then
        select 201, 'Part-queue does not exist' into ret_code, ret_note;
        return;
    end if;

    update pgq_node.local_state
       set last_tick_id = i_watermark
     where queue_name = i_part_queue_name and consumer_name = part.worker_name;
    if not found then
        select 401, 'Worker registration not found' into ret_code, ret_note;
        return;
    end if;

    select 200, 'Ok' into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
