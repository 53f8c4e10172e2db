create or replace function pgq_ext.version()
returns text as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.version(0)
--
--      The installed version of pgq_ext: the extension's, or the version
--      this script was built as when it was loaded without CREATE
--      EXTENSION.
-- ----------------------------------------------------------------------
declare
    res text;
begin
    select extversion into res
      from pg_catalog.pg_extension where extname = 'pgq_ext';
    return coalesce(res, '@EXTVERSION@');
end;
$$ language plpgsql;
