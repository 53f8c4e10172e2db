-- ----------------------------------------------------------------------
-- pgq.logutriga()   (PL-only build)
--     PL/pgSQL twin of the C trigger of the same name: see
--     pgq._pl_capture() for the work and its known differences.
-- ----------------------------------------------------------------------
create or replace function pgq.logutriga()
returns trigger as $$
begin
    if TG_OP = 'TRUNCATE' then
        perform pgq._pl_capture('logutriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID,
                                TG_ARGV, null::text, null::text);
        return null;
    end if;
    return pgq._pl_capture('logutriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID,
                           TG_ARGV, OLD, NEW);
end;
$$ language plpgsql;
