create or replace function londiste.get_valid_pending_fkeys(i_queue_name text)
returns setof londiste.pending_fkeys as $$
-- ----------------------------------------------------------------------
-- Function: londiste.get_valid_pending_fkeys(1)
--
--      The dropped foreign keys this queue's worker may restore now: both
--      tables are attached here, in sync (ok, no copy snapshot left) on
--      every queue that feeds them, and this queue is the one in charge
--      of the key (the first by name of the queues that carry both
--      tables, so that two workers never restore the same key).
-- ----------------------------------------------------------------------
    select f.* from londiste.pending_fkeys f
     where exists (select 1 from londiste.table_info t
                    where t.queue_name = i_queue_name and t.local
                      and coalesce(t.dest_table, t.table_name) = f.from_table)
       and exists (select 1 from londiste.table_info t
                    where t.queue_name = i_queue_name and t.local
                      and coalesce(t.dest_table, t.table_name) = f.to_table)
       and not exists (select 1 from londiste.table_info t
                        where t.local
                          and coalesce(t.dest_table, t.table_name) in (f.from_table, f.to_table)
                          and (t.merge_state is distinct from 'ok' or t.custom_snapshot is not null))
       and i_queue_name = (select min(t.queue_name) from londiste.table_info t
                            where t.local
                              and coalesce(t.dest_table, t.table_name) = f.from_table
                              and exists (select 1 from londiste.table_info t2
                                           where t2.queue_name = t.queue_name and t2.local
                                             and coalesce(t2.dest_table, t2.table_name) = f.to_table))
     order by f.from_table, f.fkey_name;
$$ language sql stable strict;
