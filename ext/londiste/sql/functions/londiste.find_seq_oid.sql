create or replace function londiste.find_seq_oid(seq text)
returns oid as $$
-- ----------------------------------------------------------------------
-- Function: londiste.find_seq_oid(1)
--
--      The oid of the sequence of this name, or NULL.
-- ----------------------------------------------------------------------
    select londiste.find_rel_oid(seq, 'S');
$$ language sql stable strict;
