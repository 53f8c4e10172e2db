-- londiste installs with upstream's shape: four tables with their
-- constraints, all dumped, the table_info trigger, roles; the functions
-- with upstream's signatures and result columns, SECURITY DEFINER with a
-- pinned search_path where upstream has DEFINER; update paths from every
-- upstream release.
\set VERBOSITY terse
set client_min_messages = warning;
create extension londiste cascade;
reset client_min_messages;

select londiste.version() = extversion as version_ok
  from pg_extension where extname = 'londiste';
select londiste.upgrade_schema();

select c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || case when a.attnotnull then ' not null' else '' end
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' order by a.attnum)
  from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relnamespace = 'londiste'::regnamespace and c.relkind = 'r'
 group by c.relname order by 1;
select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'londiste'::regnamespace
 order by 1, 2;
select tgname, pg_get_triggerdef(oid) from pg_trigger
 where tgrelid = 'londiste.table_info'::regclass and not tgisinternal;
select c::regclass::text, cond from pg_extension,
       unnest(extconfig, extcondition) as u(c, cond)
 where extname = 'londiste' order by 1;
select r.rolname, string_agg(g.rolname, ',' order by g.rolname) as member_of
  from pg_roles r join pg_auth_members m on m.member = r.oid
  join pg_roles g on g.oid = m.roleid
 where r.rolname like 'londiste%' group by 1 order by 1;

select p.oid::regprocedure::text as func, pg_get_function_result(p.oid) as returns,
       prosecdef as definer, proconfig
  from pg_proc p where pronamespace = 'londiste'::regnamespace
 order by 1;

-- update scripts from every upstream release (run for real from Debian's
-- 3.8 by t/001_upgrade_from_upstream.pl)
select source from pg_extension_update_paths('londiste')
 where target = (select default_version from pg_available_extensions
                  where name = 'londiste') and path is not null
 order by 1;
