create or replace function pgq_coop.version()
returns text as $$
-- ----------------------------------------------------------------------
-- Function: pgq_coop.version(0)
--
--      The installed version of pgq_coop: the extension's, or the version
--      this script was built as when loaded without CREATE EXTENSION.
-- ----------------------------------------------------------------------
declare
    res text;
begin
    select extversion into res
      from pg_catalog.pg_extension where extname = 'pgq_coop';
    return coalesce(res, '@EXTVERSION@');
end;
$$ language plpgsql;
