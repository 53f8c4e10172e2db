-- ----------------------------------------------------------------------
-- pgq.version()
--     Version of the installed pgq.  pgqd requires the first character to
--     be '3' or greater.  A plain-script (PL-only) install has no
--     pg_extension row and reports the version it was built as.
-- ----------------------------------------------------------------------
create or replace function pgq.version()
returns text as $$
begin
    return coalesce((select extversion from pg_catalog.pg_extension
                      where extname = 'pgq'), '@EXTVERSION@');
end;
$$ language plpgsql;
