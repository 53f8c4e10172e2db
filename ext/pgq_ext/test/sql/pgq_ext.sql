-- pgq_ext: every function, its truth table, NULLs and non-positive ids,
-- the lazy purge of event markers, grants, dump marks.
\set VERBOSITY terse
create extension pgq_ext cascade;

-- version() is the extension's
select pgq_ext.version() = extversion as version_ok
  from pg_extension where extname = 'pgq_ext';

-- four tables with the fresh-install column order, all dumped whole
select c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || case when a.attnotnull then ' not null' else '' end
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' order by a.attnum)
  from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relnamespace = 'pgq_ext'::regnamespace and c.relkind = 'r'
 group by c.relname order by 1;
select conrelid::regclass, conname, pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'pgq_ext'::regnamespace order by 1;
select c::regclass, cond from pg_extension,
       unnest(extconfig, extcondition) as u(c, cond)
 where extname = 'pgq_ext' order by c::regclass::text;

-- fourteen functions: six definer long forms with a pinned search_path
select p.oid::regprocedure as func, pg_get_function_result(p.oid) as returns,
       prosecdef as definer, proconfig
  from pg_proc p where pronamespace = 'pgq_ext'::regnamespace
 order by p.oid::regprocedure::text;

-- upgrade_schema() finds nothing left to do on a fresh install
select pgq_ext.upgrade_schema();

-- batch tracking
select pgq_ext.is_batch_done('c1', 5);            -- nothing recorded
select pgq_ext.set_batch_done('c1', 5);           -- recorded
select pgq_ext.is_batch_done('c1', 5);
select pgq_ext.set_batch_done('c1', 5);           -- already: false
select pgq_ext.is_batch_done('c1', 4);            -- only the latest counts
select pgq_ext.is_batch_done('c1', null);         -- NULL, as upstream
select pgq_ext.set_batch_done('c1', 3);           -- no monotonic check
select pgq_ext.is_batch_done('c1', 3), pgq_ext.is_batch_done('c1', 5);
select pgq_ext.set_batch_done('c1', 0);           -- true, stores nothing
select pgq_ext.set_batch_done('c1', -1);
select pgq_ext.set_batch_done('c1', null);
select pgq_ext.set_batch_done('c1', 'sub', 7);    -- a separate key
select pgq_ext.is_batch_done('c1', 'sub', 7), pgq_ext.is_batch_done('c1', 7);
select pgq_ext.set_batch_done(null, 9);           -- NULL consumer: not null
select pgq_ext.set_batch_done('c1', null, 9);
select * from pgq_ext.completed_batch order by 1, 2;
-- odd names are plain data
select pgq_ext.set_batch_done('we''ird "name"', 'sub; drop', 11);
select pgq_ext.is_batch_done('we''ird "name"', 'sub; drop', 11);

-- tick tracking
select pgq_ext.get_last_tick('c1');               -- NULL: none
select pgq_ext.set_last_tick('c1', 10);
select pgq_ext.get_last_tick('c1');
select pgq_ext.set_last_tick('c1', 8);            -- no ordering check
select pgq_ext.get_last_tick('c1');
select pgq_ext.set_last_tick('c1', 's', 20), pgq_ext.get_last_tick('c1', 's');
select pgq_ext.set_last_tick('c1', null);         -- reset deletes, returns 1
select pgq_ext.get_last_tick('c1'), pgq_ext.get_last_tick('c1', 's');
select pgq_ext.set_last_tick('c1', null);         -- nothing to delete: still 1
select pgq_ext.set_last_tick(null, 3);
select * from pgq_ext.completed_tick order by 1, 2;

-- event tracking
select pgq_ext.is_event_done('c2', 1, 100);
select pgq_ext.set_event_done('c2', 1, 100);
select pgq_ext.set_event_done('c2', 1, 101);
select pgq_ext.set_event_done('c2', 1, 100);      -- already: false
select pgq_ext.is_event_done('c2', 1, 100), pgq_ext.is_event_done('c2', 1, 102);
select * from pgq_ext.partial_batch order by 1, 2;
-- the first event of batch 2 forgets batch 1's markers
select pgq_ext.set_event_done('c2', 2, 200);
select pgq_ext.is_event_done('c2', 1, 100), pgq_ext.is_event_done('c2', 2, 200);
select * from pgq_ext.completed_event order by 1, 2, 3, 4;
select * from pgq_ext.partial_batch order by 1, 2;
-- subconsumers keep their own partial batch
select pgq_ext.set_event_done('c2', 'x', 1, 100);
select pgq_ext.is_event_done('c2', 'x', 1, 100), pgq_ext.is_event_done('c2', 'x', 2, 200);
-- NULL ids fail and change nothing
select pgq_ext.set_event_done('c2', null, 300);
select pgq_ext.set_event_done('c2', 3, null);
select pgq_ext.set_event_done('c3', null, 1);
select * from pgq_ext.partial_batch order by 1, 2;
select count(*) from pgq_ext.completed_event;

-- privileges: pgq_writer calls the API, PUBLIC only version()
select p.oid::regprocedure as func,
       has_function_privilege('pgq_writer', p.oid, 'execute') as writer,
       has_function_privilege('public', p.oid, 'execute') as public
  from pg_proc p where pronamespace = 'pgq_ext'::regnamespace
 order by p.oid::regprocedure::text;
select c.relname, c.relacl from pg_class c
 where relnamespace = 'pgq_ext'::regnamespace and relkind = 'r' order by 1;

create role ext_user login;
create role ext_writer login in role pgq_writer;
set role ext_user;
select pgq_ext.version() is not null as public_version;
select pgq_ext.is_batch_done('c1', 5);            -- refused
select pgq_ext.set_last_tick('c1', 1);            -- refused
select * from pgq_ext.completed_batch;            -- refused
reset role;
set role ext_writer;
select pgq_ext.set_batch_done('w', 1), pgq_ext.is_batch_done('w', 1);
select pgq_ext.set_event_done('w', 1, 1), pgq_ext.set_last_tick('w', 1);
select * from pgq_ext.completed_batch;            -- still refused: no table grants
delete from pgq_ext.completed_batch;
reset role;
select * from pgq_ext.completed_batch where consumer_id = 'w';

drop role ext_user;
drop role ext_writer;

drop extension pgq_ext;
select count(*) from pg_namespace where nspname = 'pgq_ext';
