create or replace function pgq_node.version()
returns text as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.version(0)
--
--      The installed version of pgq_node: the extension's, or the version
--      this script was built as when loaded without CREATE EXTENSION.
-- ----------------------------------------------------------------------
declare
    res text;
begin
    select extversion into res
      from pg_catalog.pg_extension where extname = 'pgq_node';
    return coalesce(res, '@EXTVERSION@');
end;
$$ language plpgsql;
