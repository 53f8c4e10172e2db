create or replace function londiste.local_set_table_struct(
    in i_queue_name text,
    in i_table_name text,
    in i_dropped_ddl text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_set_table_struct(3)
--
--      Keep the DDL (indexes, constraints) a copy dropped, to be run
--      again after it; NULL once restored.  Allowed only while the table
--      is in-copy or catching-up (check constraint).  The table name is
--      taken as stored (schema.table).
--
-- Returns:
--      200 - Table struct stored
--      404 - no such local table: <table>
-- ----------------------------------------------------------------------
begin
    update londiste.table_info t set dropped_ddl = i_dropped_ddl
     where t.queue_name = i_queue_name and t.table_name = i_table_name and t.local;
    if not found then
        select 404, 'no such local table: ' || i_table_name into ret_code, ret_note;
        return;
    end if;
    select 200, 'Table struct stored' into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
