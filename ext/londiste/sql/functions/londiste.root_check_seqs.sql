create or replace function londiste.root_check_seqs(
    in i_queue_name text,
    in i_buffer int8,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.root_check_seqs(2)
--
--      Publish the root's sequences ahead of use: a sequence whose value
--      came within i_buffer of the last published one gets value +
--      3 * i_buffer published (event londiste.update-seq), so that
--      subscribers stay ahead of the root between checks.  A buffer under
--      10 means 10000.
--
-- Returns:
--      100 - Sequences updated
--      402 - Not a root node
--      404 - Queue not found: <queue>
-- ----------------------------------------------------------------------
declare
    ntype text;
    buf int8 := i_buffer;
    seq record;
    cur int8;
begin
    select n.node_type into ntype from pgq_node.node_info n
     where n.queue_name = i_queue_name;
    if not found then
        select 404, 'Queue not found: ' || i_queue_name into ret_code, ret_note;
        return;
    elsif ntype <> 'root' then
        select 402, 'Not a root node' into ret_code, ret_note;
        return;
    end if;
    if buf is null or buf < 10 then
        buf := 10000;
    end if;

    for seq in
        select s.seq_name, s.last_value from londiste.seq_info s
         where s.queue_name = i_queue_name and s.local
         order by s.nr
         for update
    loop
        execute 'select last_value from ' || londiste.quote_fqname(seq.seq_name) into cur;
        if cur + buf >= seq.last_value then
            cur := cur + 3 * buf;
            perform pgq.insert_event(i_queue_name, 'londiste.update-seq', cur::text,
                                     seq.seq_name, null, null, null);
            update londiste.seq_info s set last_value = cur
             where s.queue_name = i_queue_name and s.seq_name = seq.seq_name;
        end if;
    end loop;
    select 100, 'Sequences updated' into ret_code, ret_note;
    return;
end;
$$ language plpgsql;

create or replace function londiste.root_check_seqs(
    in i_queue_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.root_check_seqs(1)
--
--      root_check_seqs(2) with a buffer of 10000.
-- ----------------------------------------------------------------------
    select * from londiste.root_check_seqs(i_queue_name, 10000);
$$ language sql;
