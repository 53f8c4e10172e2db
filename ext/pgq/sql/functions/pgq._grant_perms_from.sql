-- ----------------------------------------------------------------------
-- pgq._grant_perms_from(src_schema, src_table, dst_schema, dst_table)
--     Copy the table privileges of one table to another, as listed by
--     information_schema.table_privileges, keeping WITH GRANT OPTION.
-- Returns: 1.
-- ----------------------------------------------------------------------
create or replace function pgq._grant_perms_from(
    src_schema text, src_table text, dst_schema text, dst_table text)
returns integer as $$
declare
    fq_table    text;
    sql         text;
    g           record;
begin
    fq_table := pg_catalog.quote_ident(dst_schema) || '.'
        || pg_catalog.quote_ident(dst_table);

    for g in
        select grantee::text as grantee, privilege_type::text as priv,
               is_grantable::text as grantable
          from information_schema.table_privileges
         where table_schema = src_schema and table_name = src_table
    loop
        sql := 'grant ' || g.priv || ' on ' || fq_table || ' to ';
        if g.grantee = 'PUBLIC' then
            sql := sql || 'public';
        else
            sql := sql || pg_catalog.quote_ident(g.grantee);
        end if;
        if g.grantable = 'YES' then
            sql := sql || ' with grant option';
        end if;
        execute sql;
    end loop;
    return 1;
end;
$$ language plpgsql strict;
