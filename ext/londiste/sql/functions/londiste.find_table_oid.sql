create or replace function londiste.find_table_oid(tbl text)
returns oid as $$
-- ----------------------------------------------------------------------
-- Function: londiste.find_table_oid(1)
--
--      The oid of the table of this name, or NULL: an ordinary table
--      (relkind r) or a partitioned one (p; upstream sees only r).
-- ----------------------------------------------------------------------
    select coalesce(londiste.find_rel_oid(tbl, 'r'), londiste.find_rel_oid(tbl, 'p'));
$$ language sql stable strict;
