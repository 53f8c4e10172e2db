create or replace function londiste._coordinate_copy(
    in i_queue_name text,
    in i_table_name text,
    out copy_role text,
    out copy_pos int4)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste._coordinate_copy(2)
--
--      A table fed by several partition queues into one destination
--      (queues sharing a combined_queue) is copied once per queue, and
--      only one copy may drop and re-create the destination's indexes
--      and constraints.  The copy's role:
--
--          lead        - drops the DDL (kept in dropped_ddl), copies,
--                        restores the DDL once every partition copied;
--                        the first queue by name not yet in sync, or the
--                        one already holding the dropped DDL
--          wait-copy   - must not start copying before the lead has
--                        dropped the DDL
--          wait-replay - may copy (the DDL is gone), and waits before
--                        catching up until the lead has restored it
--
--      copy_pos counts the other partitions copying at the same time
--      (for max_parallel_copy).  A queue without a combined queue has no
--      partner: NULL and 0.
-- ----------------------------------------------------------------------
declare
    me record;
    dest text;
    holder text;
    first_q text;
begin
    copy_pos := 0;
    select n.combined_queue into me
      from pgq_node.node_info n where n.queue_name = i_queue_name;
    if not found or me.combined_queue is null then
        return;
    end if;
    select coalesce(t.dest_table, t.table_name) into dest
      from londiste.table_info t
     where t.queue_name = i_queue_name and t.table_name = i_table_name;
    if not found then
        return;
    end if;

    -- the partition queues of the same destination on this database
    select min(t.queue_name) filter (where t.dropped_ddl is not null),
           min(t.queue_name) filter (where t.merge_state is distinct from 'ok'),
           count(*) filter (where t.queue_name <> i_queue_name
                              and t.merge_state in ('in-copy', 'catching-up'))
      into holder, first_q, copy_pos
      from londiste.table_info t
      join pgq_node.node_info n on n.queue_name = t.queue_name
     where n.combined_queue = me.combined_queue and t.local
       and coalesce(t.dest_table, t.table_name) = dest;

    if holder is not null then
        copy_role := case when holder = i_queue_name then 'lead' else 'wait-replay' end;
    elsif first_q = i_queue_name then
        copy_role := 'lead';
    else
        copy_role := 'wait-copy';
    end if;
    return;
end;
$$ language plpgsql stable strict;
