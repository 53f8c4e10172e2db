create or replace function londiste.is_replica_func(func_oid oid)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: londiste.is_replica_func(1)
--
--      True for PgQ's row-capture trigger functions (pgq.logutriga,
--      pgq.sqltriga, pgq.jsontriga).
-- ----------------------------------------------------------------------
    select exists (select 1 from pg_catalog.pg_proc p
                     join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                    where p.oid = func_oid and n.nspname = 'pgq'
                      and p.proname in ('logutriga', 'sqltriga', 'jsontriga'));
$$ language sql stable strict;
