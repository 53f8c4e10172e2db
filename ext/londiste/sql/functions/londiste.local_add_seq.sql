create or replace function londiste.local_add_seq(
    in i_queue_name text,
    in i_seq_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_add_seq(2)
--
--      Attach a sequence.  On the root it is registered and its value
--      published at once (root_check_seqs); elsewhere the root must have
--      published it, and the local sequence is moved up to that value.
--
-- Returns:
--      200 - Sequence added: <seq>
--      201 - Sequence already added: <seq>
--      400 - Sequence not found: <seq>
--      404 - Unknown sequence: <seq>
-- ----------------------------------------------------------------------
declare
    fq text;
    seq record;
begin
    fq := londiste.make_fqname(i_seq_name);
    if londiste.find_seq_oid(fq) is null then
        select 400, 'Sequence not found: ' || fq into ret_code, ret_note;
        return;
    end if;
    select s.local, s.last_value into seq from londiste.seq_info s
     where s.queue_name = i_queue_name and s.seq_name = fq for update;
    if found and seq.local then
        select 201, 'Sequence already added: ' || fq into ret_code, ret_note;
        return;
    end if;

    if pgq_node.is_root_node(i_queue_name) then
        if found then
            update londiste.seq_info s set local = true
             where s.queue_name = i_queue_name and s.seq_name = fq;
        else
            insert into londiste.seq_info (queue_name, seq_name, local, last_value)
            values (i_queue_name, fq, true, 0);
        end if;
        perform londiste.root_check_seqs(i_queue_name);
    else
        if not found then
            select 404, 'Unknown sequence: ' || fq into ret_code, ret_note;
            return;
        end if;
        update londiste.seq_info s set local = true
         where s.queue_name = i_queue_name and s.seq_name = fq;
        perform pgq.seq_setval(fq, seq.last_value);
    end if;
    select 200, 'Sequence added: ' || fq into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
