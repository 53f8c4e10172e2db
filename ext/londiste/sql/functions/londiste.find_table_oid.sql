create or replace function londiste.find_table_oid(tbl text)
returns oid as $$
-- ----------------------------------------------------------------------
-- Function: londiste.find_table_oid(1)
--
--      The oid of the ordinary table (relkind r) of this name, or NULL.
-- ----------------------------------------------------------------------
    select londiste.find_rel_oid(tbl, 'r');
$$ language sql stable strict;
