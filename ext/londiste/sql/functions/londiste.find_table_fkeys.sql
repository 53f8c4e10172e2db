create or replace function londiste.find_table_fkeys(i_table_name text)
returns setof londiste.pending_fkeys as $$
-- ----------------------------------------------------------------------
-- Function: londiste.find_table_fkeys(1)
--
--      The foreign keys that involve the table, from either side, each
--      with the statement that re-creates it.
-- ----------------------------------------------------------------------
    select fn.nspname || '.' || fc.relname, tn.nspname || '.' || tc.relname, k.conname::text,
           'alter table only ' || londiste.quote_fqname(fn.nspname || '.' || fc.relname)
           || ' add constraint ' || pg_catalog.quote_ident(k.conname) || ' '
           || pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(k.oid), ' NOT VALID$', '')
      from pg_catalog.pg_constraint k
      join pg_catalog.pg_class fc on fc.oid = k.conrelid
      join pg_catalog.pg_namespace fn on fn.oid = fc.relnamespace
      join pg_catalog.pg_class tc on tc.oid = k.confrelid
      join pg_catalog.pg_namespace tn on tn.oid = tc.relnamespace
     where k.contype = 'f'
       and londiste.find_table_oid(i_table_name) in (k.conrelid, k.confrelid)
     order by 1, 3;
$$ language sql stable strict;
