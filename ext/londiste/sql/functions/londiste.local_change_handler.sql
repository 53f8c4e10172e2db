create or replace function londiste.local_change_handler(
    in i_queue_name text,
    in i_table_name text,
    in i_trg_args text[],
    in i_table_attrs text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_change_handler(4)
--
--      Change a local table's attributes (handler) and trigger arguments;
--      the trigger is re-made when its arguments change.  The table name
--      is taken as stored (schema.table).
--
-- Returns:
--      200 - Handler changed for table: <table>
--      404 - no such local table: <table>
--      4xx - what create_trigger refused
-- ----------------------------------------------------------------------
declare
    res record;
    tbl record;
begin
    select * into res from londiste.local_set_table_attrs(i_queue_name, i_table_name, i_table_attrs);
    if res.ret_code <> 200 then
        select res.ret_code, res.ret_note into ret_code, ret_note;
        return;
    end if;
    select coalesce(t.dest_table, t.table_name) as dest, n.node_type into tbl
      from londiste.table_info t
      join pgq_node.node_info n on n.queue_name = t.queue_name
     where t.queue_name = i_queue_name and t.table_name = i_table_name;
    select * into res from londiste.create_trigger(i_queue_name, i_table_name, i_trg_args,
                                                   tbl.dest, tbl.node_type);
    if res.ret_code >= 300 then
        select res.ret_code, res.ret_note into ret_code, ret_note;
        return;
    end if;
    select 200, 'Handler changed for table: ' || i_table_name into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
