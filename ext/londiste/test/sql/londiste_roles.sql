-- londiste privileges, both ways: PUBLIC reads the tables and calls the
-- name helpers; londiste_reader reads the lists; londiste_writer changes
-- the registry; every other call is refused.
\set VERBOSITY terse
set client_min_messages = warning;
create extension if not exists londiste cascade;
reset client_min_messages;
select p.oid::regprocedure::text as func,
       has_function_privilege('public', p.oid, 'execute') as public,
       has_function_privilege('londiste_reader', p.oid, 'execute') as reader,
       has_function_privilege('londiste_writer', p.oid, 'execute') as writer,
       has_function_privilege('pgq_admin', p.oid, 'execute') as admin
  from pg_proc p where pronamespace = 'londiste'::regnamespace
   and proname not like '\_%'
 order by 1;
select c.relname,
       has_table_privilege('public', c.oid, 'select') as public_sel,
       has_table_privilege('londiste_reader', c.oid, 'select') as reader_sel,
       has_table_privilege('londiste_reader', c.oid, 'insert') as reader_ins,
       has_table_privilege('londiste_writer', c.oid, 'insert') as writer_ins,
       has_table_privilege('londiste_writer', c.oid, 'delete') as writer_del
  from pg_class c where relnamespace = 'londiste'::regnamespace and relkind = 'r'
 order by 1;

select * from pgq_node.register_location('gq', 'g1', 'dbname=g1', false);
select * from pgq_node.create_node('gq', 'root', 'g1', 'w_g1', null, null, null);

create role ld_nobody login;
create role ld_reader login in role londiste_reader;
create role ld_writer login in role londiste_writer;
create table ld_tbl (id int primary key, v text);
alter table ld_tbl owner to ld_writer;
create table ld_other (id int primary key);

set role ld_nobody;
select londiste.make_fqname('x');
select count(*) from londiste.table_info;
select * from londiste.get_table_list('gq');
select * from londiste.local_add_table('gq', 'ld_tbl');
select londiste.set_session_replication_role('replica', false);
reset role;

set role ld_reader;
select * from londiste.get_table_list('gq');
select * from londiste.local_add_table('gq', 'ld_tbl');
select * from londiste.global_add_table('gq', 'public.x');
insert into londiste.table_info (queue_name, table_name) values ('gq', 'public.y');
reset role;

set role ld_writer;
select * from londiste.local_add_table('gq', 'ld_tbl');
select table_name, local, merge_state from londiste.get_table_list('gq');
-- a table the writer does not own: no trigger can be made on it
select * from londiste.local_add_table('gq', 'ld_other');
select londiste.set_session_replication_role('replica', false);
show session_replication_role;
select londiste.set_session_replication_role('origin', false);
select * from londiste.local_remove_table('gq', 'ld_tbl');
reset role;
select table_name, local from londiste.get_table_list('gq');

drop table ld_tbl, ld_other;
drop role ld_nobody, ld_reader, ld_writer;
