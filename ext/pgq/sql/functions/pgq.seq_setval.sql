-- ----------------------------------------------------------------------
-- pgq.seq_setval(i_seq_name, i_new_value)
--     Move a sequence forward to i_new_value; never moves it back.
-- Returns: the sequence's value afterwards.
-- ----------------------------------------------------------------------
create or replace function pgq.seq_setval(i_seq_name text, i_new_value int8)
returns bigint as $$
declare
    fqname text;
    cur bigint;
begin
    fqname := pgq.quote_fqname(i_seq_name);
    cur := pgq.seq_getval(i_seq_name);
    if cur < i_new_value then
        perform pg_catalog.setval(fqname::regclass, i_new_value);
        return i_new_value;
    end if;
    return cur;
end;
$$ language plpgsql strict;
