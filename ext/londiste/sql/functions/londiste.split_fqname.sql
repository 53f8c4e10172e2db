create or replace function londiste.split_fqname(
    in i_fqname text,
    out schema_part text,
    out name_part text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.split_fqname(1)
--
--      Split a name at its first dot into schema and name; without a dot
--      the schema is public.
-- ----------------------------------------------------------------------
declare
    pos int4;
begin
    pos := pg_catalog.strpos(i_fqname, '.');
    if pos > 0 then
        schema_part := pg_catalog.substr(i_fqname, 1, pos - 1);
        name_part := pg_catalog.substr(i_fqname, pos + 1);
    else
        schema_part := 'public';
        name_part := i_fqname;
    end if;
    return;
end;
$$ language plpgsql immutable strict;
