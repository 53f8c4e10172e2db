create or replace function londiste.find_rel_oid(i_fqname text, i_kind text)
returns oid as $$
-- ----------------------------------------------------------------------
-- Function: londiste.find_rel_oid(2)
--
--      The oid of the relation of kind i_kind (pg_class.relkind) with
--      this name (public when no schema is given), or NULL.
-- ----------------------------------------------------------------------
    select c.oid
      from londiste.split_fqname(i_fqname) s,
           pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname = s.schema_part and c.relname = s.name_part
       and c.relkind::text = i_kind;
$$ language sql stable strict;
