-- pgq_node installs with upstream's shape: four tables with their
-- constraints (PostgreSQL's default names, as upstream's), all dumped;
-- the functions with upstream's signatures and result columns, SECURITY
-- DEFINER with a pinned search_path where upstream has DEFINER.
\set VERBOSITY terse
set client_min_messages = warning;
create extension pgq_node cascade;
reset client_min_messages;

select pgq_node.version() = extversion as version_ok
  from pg_extension where extname = 'pgq_node';
select pgq_node.upgrade_schema();

select c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || case when a.attnotnull then ' not null' else '' end
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' order by a.attnum)
  from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relnamespace = 'pgq_node'::regnamespace and c.relkind = 'r'
 group by c.relname order by 1;
select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'pgq_node'::regnamespace
 order by 1, 2;
select c::regclass::text, cond from pg_extension,
       unnest(extconfig, extcondition) as u(c, cond)
 where extname = 'pgq_node' order by 1;

select p.oid::regprocedure::text as func, pg_get_function_result(p.oid) as returns,
       prosecdef as definer, proconfig
  from pg_proc p where pronamespace = 'pgq_node'::regnamespace
 order by 1;

-- update scripts from every upstream release (run for real from Debian's
-- 3.5 by t/002_upgrade_from_upstream.pl)
select source from pg_extension_update_paths('pgq_node')
 where target = (select default_version from pg_available_extensions
                  where name = 'pgq_node') and path is not null
 order by 1;
