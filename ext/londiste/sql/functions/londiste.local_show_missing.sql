create or replace function londiste.local_show_missing(
    in i_queue_name text,
    out obj_kind text,
    out obj_name text)
returns setof record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_show_missing(1)
--
--      What could still be added here: on the root, every table (r) and
--      sequence (S) of the database outside the system and SkyTools
--      schemas that is not yet replicated (a partitioned table as r, its
--      partitions not: the table's trigger covers them); on other nodes, what the queue
--      carries and this node has not attached.
--
-- Errors:
--      'queue does not exist' (pgq_node.is_root_node) for an unknown queue.
-- ----------------------------------------------------------------------
begin
    if pgq_node.is_root_node(i_queue_name) then
        return query
        select case c.relkind when 'p' then 'r' else c.relkind::text end,
               n.nspname || '.' || c.relname
          from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
         where (c.relkind in ('r', 'S', 'p') and not c.relispartition)
           and n.nspname not in ('pgq', 'pgq_ext', 'pgq_node', 'londiste',
                                 'pg_catalog', 'information_schema')
           and n.nspname !~ '^pg_(toast|temp)'
           and not exists (select 1 from londiste.table_info t
                            where t.queue_name = i_queue_name and t.local
                              and coalesce(t.dest_table, t.table_name) = n.nspname || '.' || c.relname)
           and not exists (select 1 from londiste.seq_info s
                            where s.queue_name = i_queue_name and s.local
                              and s.seq_name = n.nspname || '.' || c.relname)
         order by 1, 2;
    else
        return query
        select m.kind, m.name from (
            select 'S'::text as kind, s.seq_name as name from londiste.seq_info s
             where s.queue_name = i_queue_name and not s.local
            union all
            select 'r'::text, t.table_name from londiste.table_info t
             where t.queue_name = i_queue_name and not t.local) m
         order by 1, 2;
    end if;
end;
$$ language plpgsql stable strict;
