-- The PL-only build: a plain script, installed with psql, no C at all.
\set VERBOSITY terse
\getenv pl_only_sql PGQ_PL_ONLY_SQL
\set ECHO none
\o /dev/null
\i :pl_only_sql
\o
\set ECHO all
select pgq.version() >= '3' as version_ok;
-- nothing of it is written in C
select count(*) as c_functions from pg_proc
 where pronamespace = 'pgq'::regnamespace
   and prolang = (select oid from pg_language where lanname = 'c');
-- the row-capture triggers are PL/pgSQL here, with four internal helpers
select proname, pg_get_function_arguments(oid) from pg_proc
 where pronamespace = 'pgq'::regnamespace
   and (proname like '\_%' or prorettype = 'trigger'::regtype)
 order by 1;
