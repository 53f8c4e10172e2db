-- ----------------------------------------------------------------------
-- upgrade_prologue.sql
--     Start of every update script (from upstream 3.2 ... 3.8).  The
--     functions of older releases are dropped and made anew below, so
--     that a changed result type or an argument list that no longer
--     exists cannot linger; table_info_trigger() stays (the table's
--     trigger depends on it) and is replaced in place.  The tables and
--     their rows are kept as they are.
-- ----------------------------------------------------------------------
set client_min_messages = warning;

do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
          from pg_catalog.pg_proc p
          join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'londiste' and p.proname <> 'table_info_trigger'
    loop
        execute 'drop function ' || f::text;
    end loop;
end $$;
