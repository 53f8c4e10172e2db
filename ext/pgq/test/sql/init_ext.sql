-- The extension installs with upstream's shape: all 51 functions (four in
-- C), the SECURITY DEFINER set, the
-- roles, seven pg_dump configuration marks.
\set VERBOSITY terse
create extension pgq;

select pgq.version() >= '3' as version_ok, pgq.version();

select extrelocatable, extnamespace::regnamespace
  from pg_extension where extname = 'pgq';

-- exactly seven tables and sequences are dumped with their data
select array_length(extconfig, 1) as n_config from pg_extension where extname = 'pgq';
select c::regclass from pg_extension, unnest(extconfig) c
 where extname = 'pgq' order by c::regclass::text;

-- the C functions live in pgq_lowlevel and pgq_triggers under upstream's symbols
select proname, probin, prosrc from pg_proc
 where pronamespace = 'pgq'::regnamespace and prolang = (select oid from pg_language where lanname = 'c')
 order by 1;

-- the roles exist, cannot log in, and pgq_admin holds the other two
select rolname, rolcanlogin from pg_roles where rolname like 'pgq\_%' order by 1;
select r.rolname as role, m.rolname as member
  from pg_auth_members a join pg_roles r on r.oid = a.roleid
  join pg_roles m on m.oid = a.member
 where m.rolname like 'pgq\_%' order by 1, 2;

-- pgq._batch_rows (the C batch read) takes batch queries only
\set VERBOSITY terse
select * from pgq._batch_rows('select 1');
select * from pgq._batch_rows('select 1 order by 1');
select * from pgq._batch_rows('select 1::bigint, now(), 2::bigint, 3, 4, 5, 6, 7, 8, 9 order by 1');
-- and from consumers only (pgq_reader), since it runs the SQL it is given
create role batch_nobody;
create role batch_reader in role pgq_reader;
set role batch_nobody;
select * from pgq._batch_rows('select 1 order by 1');
set role batch_reader;
select * from pgq._batch_rows('select 1 order by 1');
reset role;
drop role batch_nobody;
drop role batch_reader;
\set VERBOSITY default
