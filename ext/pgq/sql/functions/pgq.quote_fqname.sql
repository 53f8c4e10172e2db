-- ----------------------------------------------------------------------
-- pgq.quote_fqname(i_name)
--     Quote a possibly schema-qualified name.  The name is split at the
--     first dot; a missing schema means "public".
-- Returns: quote_ident(schema) || '.' || quote_ident(name).
-- ----------------------------------------------------------------------
create or replace function pgq.quote_fqname(i_name text)
returns text as $$
declare
    pos integer;
begin
    pos := pg_catalog.strpos(i_name, '.');
    if pos > 0 then
        return pg_catalog.quote_ident(pg_catalog.substr(i_name, 1, pos - 1))
            || '.' || pg_catalog.quote_ident(pg_catalog.substr(i_name, pos + 1));
    end if;
    return 'public.' || pg_catalog.quote_ident(i_name);
end;
$$ language plpgsql strict immutable;
