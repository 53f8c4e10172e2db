-- pgq_node privileges, both ways: PUBLIC sees the node type tests; the
-- three pgq roles get what upstream gives them, and are refused the rest.
\set VERBOSITY terse
select p.oid::regprocedure::text as func,
       has_function_privilege('public', p.oid, 'execute') as public,
       has_function_privilege('pgq_reader', p.oid, 'execute') as reader,
       has_function_privilege('pgq_writer', p.oid, 'execute') as writer,
       has_function_privilege('pgq_admin', p.oid, 'execute') as admin
  from pg_proc p where pronamespace = 'pgq_node'::regnamespace
   and proname not like '\_%'
 order by 1;
select c.relname,
       has_table_privilege('pgq_reader', c.oid, 'select') as reader_sel,
       has_table_privilege('pgq_writer', c.oid, 'insert') as writer_ins,
       has_table_privilege('pgq_admin', c.oid, 'delete') as admin_del,
       has_table_privilege('public', c.oid, 'select') as public_sel
  from pg_class c where relnamespace = 'pgq_node'::regnamespace and relkind = 'r'
 order by 1;

select * from pgq_node.register_location('gq', 'g1', 'dbname=g1', false);
select * from pgq_node.create_node('gq', 'root', 'g1', 'w_g1', null, null, null);

create role node_nobody login;
create role node_reader login in role pgq_reader;
create role node_writer login in role pgq_writer;
create role node_admin login in role pgq_admin;

set role node_nobody;
select pgq_node.is_root_node('gq');
select ret_code from pgq_node.get_node_info('gq');
reset role;

set role node_reader;
select ret_code, node_type from pgq_node.get_node_info('gq');
select * from pgq_node.register_consumer('gq', 'c', 'g1', 1);
select * from pgq_node.create_node('gq2', 'root', 'g1', 'w', null, null, null);
reset role;

set role node_writer;
select * from pgq_node.register_consumer('gq', 'c', 'g1', 1);
select * from pgq_node.set_consumer_completed('gq', 'c', 1);
select * from pgq_node.set_global_watermark('gq', 1);
select * from pgq_node.register_location('gq', 'g2', 'x', false);
reset role;

set role node_admin;
select * from pgq_node.register_location('gq', 'g2', 'dbname=g2', false);
select * from pgq_node.set_global_watermark('gq', 1);
select * from pgq_node.demote_root('gq', 1, 'g2');
select * from pgq_node.promote_branch('gq');
select * from pgq_node.unregister_consumer('gq', 'c');
select * from pgq_node.drop_node('gq', 'g1');
reset role;

drop role node_nobody;
drop role node_reader;
drop role node_writer;
drop role node_admin;
