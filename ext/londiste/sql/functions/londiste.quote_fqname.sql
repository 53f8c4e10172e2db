create or replace function londiste.quote_fqname(i_name text)
returns text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.quote_fqname(1)
--
--      The name as an SQL identifier: schema and name each quoted where
--      needed (the split is at the first dot).
-- ----------------------------------------------------------------------
    select pg_catalog.quote_ident(s.schema_part) || '.' || pg_catalog.quote_ident(s.name_part)
      from londiste.split_fqname(i_name) s;
$$ language sql immutable strict;
