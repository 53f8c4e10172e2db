create or replace function londiste.make_fqname(i_name text)
returns text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.make_fqname(1)
--
--      A name with its schema: unchanged when it has a dot, else in
--      public.  Quotes are not parsed and case is kept: Londiste's names
--      are schema.table as stored, unquoted.
-- ----------------------------------------------------------------------
    select case when pg_catalog.strpos(i_name, '.') > 0 then i_name
                else 'public.' || i_name end;
$$ language sql immutable strict;
