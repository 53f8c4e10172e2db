create or replace function londiste.get_table_pending_fkeys(i_table_name text)
returns setof londiste.pending_fkeys as $$
-- ----------------------------------------------------------------------
-- Function: londiste.get_table_pending_fkeys(1)
--
--      The dropped foreign keys that involve the table, from either side.
-- ----------------------------------------------------------------------
    select f.* from londiste.pending_fkeys f
     where i_table_name in (f.from_table, f.to_table)
     order by f.from_table, f.fkey_name;
$$ language sql stable strict;
