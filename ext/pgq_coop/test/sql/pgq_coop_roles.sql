-- pgq_coop privileges: pgq_reader members consume, others are refused;
-- version() is public.
\set VERBOSITY terse
select p.oid::regprocedure as func,
       has_function_privilege('pgq_reader', p.oid, 'execute') as reader,
       has_function_privilege('public', p.oid, 'execute') as public
  from pg_proc p where pronamespace = 'pgq_coop'::regnamespace
 order by p.oid::regprocedure::text;

select pgq.create_queue('rq');
create role coop_reader login in role pgq_reader;
create role coop_nobody login;

set role coop_nobody;
select pgq_coop.version() is not null as public_version;
select pgq_coop.register_subconsumer('rq', 'c', 's');
select pgq_coop.next_batch('rq', 'c', 's');
select pgq_coop.finish_batch(1);
reset role;

set role coop_reader;
select pgq_coop.register_subconsumer('rq', 'c', 's');
select pgq_coop.next_batch('rq', 'c', 's');
select pgq_coop.unregister_subconsumer('rq', 'c', 's', 0);
-- no direct writes to pgq's tables
update pgq.subscription set sub_active = now();
reset role;

drop role coop_reader;
drop role coop_nobody;
