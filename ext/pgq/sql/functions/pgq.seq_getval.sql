-- ----------------------------------------------------------------------
-- pgq.seq_getval(i_seq_name)
--     Read a sequence's last_value without side effects (is_called is
--     ignored, so a fresh sequence reads its start value).
-- Returns: last_value.  Requires SELECT on the sequence.
-- ----------------------------------------------------------------------
create or replace function pgq.seq_getval(i_seq_name text)
returns bigint as $$
declare
    res bigint;
begin
    execute 'select last_value from ' || pgq.quote_fqname(i_seq_name) into res;
    return res;
end;
$$ language plpgsql strict;
