create or replace function londiste._trigger_args(i_tgargs bytea)
returns text[] as $$
-- ----------------------------------------------------------------------
-- Function: londiste._trigger_args(1)
--
--      A trigger's arguments (pg_trigger.tgargs: each argument followed
--      by a NUL byte) as an array.  Internal.
-- ----------------------------------------------------------------------
declare
    res text[] := '{}';
    start int4 := 0;
    i int4;
begin
    for i in 0 .. pg_catalog.length(i_tgargs) - 1 loop
        if pg_catalog.get_byte(i_tgargs, i) = 0 then
            res := res || pg_catalog.convert_from(
                pg_catalog.substr(i_tgargs, start + 1, i - start), 'UTF8');
            start := i + 1;
        end if;
    end loop;
    return res;
end;
$$ language plpgsql immutable strict;
