create or replace function londiste.get_table_list(
    in i_queue_name text,
    out table_name text,
    out local boolean,
    out merge_state text,
    out custom_snapshot text,
    out table_attrs text,
    out dropped_ddl text,
    out copy_role text,
    out copy_pos int4,
    out dest_table text)
returns setof record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.get_table_list(1)
--
--      The tables registered for the queue, in registration order.  A
--      table being copied (in-copy, catching-up) also gets its part in a
--      merged copy (copy_role, copy_pos: see _coordinate_copy); others
--      NULL and 0.
-- ----------------------------------------------------------------------
    select t.table_name, t.local, t.merge_state, t.custom_snapshot,
           t.table_attrs, t.dropped_ddl, c.copy_role, coalesce(c.copy_pos, 0),
           t.dest_table
      from londiste.table_info t
      left join lateral (select * from londiste._coordinate_copy(t.queue_name, t.table_name)
                          where t.merge_state in ('in-copy', 'catching-up')) c on true
     where t.queue_name = i_queue_name
     order by t.nr, t.table_name;
$$ language sql stable strict;
