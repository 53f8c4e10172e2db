create or replace function londiste.list_obsolete_partitions(
    i_parent_table text,
    i_retention_period interval,
    i_partition_period text)
returns setof text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.list_obsolete_partitions(3)
--
--      The partitions (inheritance children) of the table that
--      is_obsolete_partition says are past retention, by name.
-- ----------------------------------------------------------------------
    select p.name from (
        select n.nspname || '.' || c.relname as name
          from pg_catalog.pg_inherits i
          join pg_catalog.pg_class c on c.oid = i.inhrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
         where i.inhparent = londiste.find_table_oid(i_parent_table)) p
     where londiste.is_obsolete_partition(p.name, i_retention_period, i_partition_period)
     order by p.name;
$$ language sql;
