create or replace function londiste.global_add_table(
    in i_queue_name text,
    in i_table_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.global_add_table(2)
--
--      Register a table the queue carries (the worker calls it when the
--      root announces one); not attached here.  Also registered in the
--      node's combined queue, if any.
--
-- Returns:
--      200 - Table added: <table>, Table already added: <table>
--      400 - No such queue: <queue>
-- ----------------------------------------------------------------------
declare
    fq text;
    cq text;
begin
    fq := londiste.make_fqname(i_table_name);
    select n.combined_queue into cq from pgq_node.node_info n
     where n.queue_name = i_queue_name;
    if not found then
        select 400, 'No such queue: ' || i_queue_name into ret_code, ret_note;
        return;
    end if;
    if cq is not null then
        perform londiste.global_add_table(cq, fq);
    end if;
    insert into londiste.table_info (queue_name, table_name)
    values (i_queue_name, fq)
    on conflict (queue_name, table_name) do nothing;
    if found then
        select 200, 'Table added: ' || fq into ret_code, ret_note;
    else
        select 200, 'Table already added: ' || fq into ret_code, ret_note;
    end if;
    return;
end;
$$ language plpgsql strict;
