create or replace function londiste.global_update_seq(
    in i_queue_name text,
    in i_seq_name text,
    in i_value int8,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.global_update_seq(3)
--
--      Record the value the root published for a sequence (the worker
--      calls it for londiste.update-seq events); an attached sequence is
--      moved up to it (never down: pgq.seq_setval).
--
-- Returns:
--      200 - Sequence updated
--      402 - Must not run on root node
--      404 - Set not found: <queue>
-- ----------------------------------------------------------------------
declare
    ntype text;
    is_local boolean;
begin
    select n.node_type into ntype from pgq_node.node_info n
     where n.queue_name = i_queue_name;
    if not found then
        select 404, 'Set not found: ' || i_queue_name into ret_code, ret_note;
        return;
    elsif ntype = 'root' then
        select 402, 'Must not run on root node' into ret_code, ret_note;
        return;
    end if;
    insert into londiste.seq_info (queue_name, seq_name, last_value)
    values (i_queue_name, i_seq_name, i_value)
    on conflict (queue_name, seq_name) do update set last_value = excluded.last_value
    returning local into is_local;
    if is_local then
        perform pgq.seq_setval(i_seq_name, i_value);
    end if;
    select 200, 'Sequence updated' into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
