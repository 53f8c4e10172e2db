create or replace function londiste.version()
returns text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.version(0)
--
--      The installed version of the londiste extension.
-- ----------------------------------------------------------------------
    select extversion from pg_catalog.pg_extension where extname = 'londiste';
$$ language sql;
