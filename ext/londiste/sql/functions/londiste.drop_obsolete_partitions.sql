create or replace function londiste.drop_obsolete_partitions(
    i_parent_table text,
    i_retention_period interval,
    i_partition_period text)
returns setof text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.drop_obsolete_partitions(3)
--
--      Drop the partitions list_obsolete_partitions names.
--
-- Returns:
--      The names of the partitions dropped.
-- ----------------------------------------------------------------------
declare
    part text;
begin
    for part in
        select * from londiste.list_obsolete_partitions(i_parent_table, i_retention_period,
                                                        i_partition_period)
    loop
        execute 'drop table ' || londiste.quote_fqname(part);
        return next part;
    end loop;
end;
$$ language plpgsql;
