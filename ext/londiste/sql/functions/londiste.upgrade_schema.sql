create or replace function londiste.upgrade_schema()
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: londiste.upgrade_schema(0)
--
--      Bring the tables of an older install to the current layout:
--      table_info.dest_table and applied_execute.execute_attrs where they
--      are missing.
--
-- Returns:
--      The number of changes made.
-- ----------------------------------------------------------------------
declare
    cnt int4 := 0;
begin
    perform 1 from pg_catalog.pg_attribute
      where attrelid = 'londiste.table_info'::regclass
        and attname = 'dest_table' and not attisdropped;
    if not found then
        alter table londiste.table_info add column dest_table text;
        cnt := cnt + 1;
    end if;
    perform 1 from pg_catalog.pg_attribute
      where attrelid = 'londiste.applied_execute'::regclass
        and attname = 'execute_attrs' and not attisdropped;
    if not found then
        alter table londiste.applied_execute add column execute_attrs text;
        cnt := cnt + 1;
    end if;
    return cnt;
end;
$$ language plpgsql;
