create or replace function londiste.find_column_types(tbl text)
returns text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.find_column_types(1)
--
--      One letter per live column: k for each primary key column, then
--      v for each other column.  Empty for an unknown table.
-- ----------------------------------------------------------------------
    select coalesce(pg_catalog.string_agg(case when k.is_key then 'k' else 'v' end, ''
                                          order by k.is_key desc, k.attnum), '')
      from (select a.attnum,
                   exists (select 1 from pg_catalog.pg_index i
                            where i.indrelid = a.attrelid and i.indisprimary
                              and a.attnum = any (i.indkey)) as is_key
              from pg_catalog.pg_attribute a
             where a.attrelid = londiste.find_table_oid(tbl)
               and a.attnum > 0 and not a.attisdropped) k;
$$ language sql stable strict;
