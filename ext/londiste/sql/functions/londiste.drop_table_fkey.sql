create or replace function londiste.drop_table_fkey(i_from_table text, i_fkey_name text)
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: londiste.drop_table_fkey(2)
--
--      Drop a foreign key for a copy, keeping its definition in
--      pending_fkeys until restore_table_fkey.
--
-- Returns:
--      1 when dropped, 0 when there is no such key.
-- ----------------------------------------------------------------------
declare
    fk record;
begin
    select * into fk from londiste.find_table_fkeys(i_from_table) f
     where f.from_table = londiste.make_fqname(i_from_table) and f.fkey_name = i_fkey_name;
    if not found then
        return 0;
    end if;
    insert into londiste.pending_fkeys (from_table, to_table, fkey_name, fkey_def)
    values (fk.from_table, fk.to_table, fk.fkey_name, fk.fkey_def);
    execute 'alter table only ' || londiste.quote_fqname(fk.from_table)
         || ' drop constraint ' || pg_catalog.quote_ident(fk.fkey_name);
    return 1;
end;
$$ language plpgsql strict;
