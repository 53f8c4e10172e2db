create or replace function londiste.global_remove_seq(
    in i_queue_name text,
    in i_seq_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.global_remove_seq(2)
--
--      Unregister a sequence; on the root the removal is announced
--      (event londiste.remove-seq).
--
-- Returns:
--      200 - Sequence removed: <seq>
--      400 - Sequence not found: <seq>
-- ----------------------------------------------------------------------
declare
    fq text;
begin
    fq := londiste.make_fqname(i_seq_name);
    delete from londiste.seq_info s
     where s.queue_name = i_queue_name and s.seq_name = fq;
    if not found then
        select 400, 'Sequence not found: ' || fq into ret_code, ret_note;
        return;
    end if;
    if pgq_node.is_root_node(i_queue_name) then
        perform pgq.insert_event(i_queue_name, 'londiste.remove-seq', fq);
    end if;
    select 200, 'Sequence removed: ' || fq into ret_code, ret_note;
    return;
end;
$$ language plpgsql strict;
