create or replace function londiste.global_remove_table(
    in i_queue_name text,
    in i_table_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.global_remove_table(2)
--
--      Unregister a table the queue no longer carries (the root removed
--      it); on a subscriber it is detached first.
--
-- Returns:
--      200 - Table removed: <table>
--      400 - Table not found: <table>
-- ----------------------------------------------------------------------
declare
    fq text;
begin
    fq := londiste.make_fqname(i_table_name);
    if not pgq_node.is_root_node(i_queue_name) then
        perform londiste.local_remove_table(i_queue_name, fq);
    end if;
    delete from londiste.table_info t
     where t.queue_name = i_queue_name and t.table_name = fq;
    if not found then
        select 400, 'Table not found: ' || fq into ret_code, ret_note;
        return;
    end if;
    select 200, 'Table removed: ' || fq into ret_code, ret_note;
    return;
end;
$$ language plpgsql strict;
