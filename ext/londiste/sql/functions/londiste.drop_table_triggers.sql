create or replace function londiste.drop_table_triggers(
    in i_queue_name text,
    in i_table_name text)
returns void as $$
-- ----------------------------------------------------------------------
-- Function: londiste.drop_table_triggers(2)
--
--      Drop every trigger of the table that calls a PgQ capture function
--      (is_replica_func) for this queue, whatever its name.
-- ----------------------------------------------------------------------
declare
    tg record;
begin
    for tg in
        select t.tgname from pg_catalog.pg_trigger t
         where t.tgrelid = londiste.find_table_oid(i_table_name)
           and not t.tgisinternal and londiste.is_replica_func(t.tgfoid)
           and (londiste._trigger_args(t.tgargs))[1] = i_queue_name
    loop
        execute 'drop trigger ' || pg_catalog.quote_ident(tg.tgname)
             || ' on ' || londiste.quote_fqname(i_table_name);
    end loop;
end;
$$ language plpgsql strict;
