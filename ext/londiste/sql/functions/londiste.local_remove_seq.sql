create or replace function londiste.local_remove_seq(
    in i_queue_name text,
    in i_seq_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_remove_seq(2)
--
--      Detach a sequence.  On the root it is unregistered and the removal
--      announced (global_remove_seq).
--
-- Returns:
--      200 - Sequence removed: <seq>
--      400 - Sequence not found: <seq> (root)
--      404 - Sequence not found: <seq>
-- ----------------------------------------------------------------------
declare
    fq text;
begin
    fq := londiste.make_fqname(i_seq_name);
    if pgq_node.is_root_node(i_queue_name) then
        select * into ret_code, ret_note from londiste.global_remove_seq(i_queue_name, fq);
        return;
    end if;
    update londiste.seq_info s set local = false
     where s.queue_name = i_queue_name and s.seq_name = fq and s.local;
    if not found then
        select 404, 'Sequence not found: ' || fq into ret_code, ret_note;
        return;
    end if;
    select 200, 'Sequence removed: ' || fq into ret_code, ret_note;
    return;
end;
$$ language plpgsql strict;
