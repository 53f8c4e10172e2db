create or replace function londiste.local_set_table_attrs(
    in i_queue_name text,
    in i_table_name text,
    in i_table_attrs text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_set_table_attrs(3)
--
--      Store a local table's attributes (urlencoded: handler, copy_node,
--      skip_truncate, max_parallel_copy).  The table name is taken as
--      stored (schema.table).
--
-- Returns:
--      200 - <table>: Table attributes stored
--      404 - no such local table: <table>
-- ----------------------------------------------------------------------
begin
    update londiste.table_info t set table_attrs = i_table_attrs
     where t.queue_name = i_queue_name and t.table_name = i_table_name and t.local;
    if not found then
        select 404, 'no such local table: ' || i_table_name into ret_code, ret_note;
        return;
    end if;
    select 200, i_table_name || ': Table attributes stored' into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
