-- Maintenance: the operations list pgqd follows, vacuum candidates, extra
-- maintenance functions per queue.
\set VERBOSITY terse
select pgq.create_queue('mq1');
select pgq.create_queue('mq2');

-- autovacuum is on in this cluster: nothing for the daemon to vacuum
show autovacuum;
select * from pgq.maint_tables_to_vacuum();

-- nothing due
select * from pgq.maint_operations();

-- extra maintenance functions, called with the queue's name, in order
update pgq.queue set queue_extra_maint = array['public.extra_a', 'extra_b']
 where queue_name = 'mq2';
select * from pgq.maint_operations();

-- rotation due on one queue
select pgq.set_queue_config('mq1', 'rotation_period', '0');
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step1('mq1');
select * from pgq.maint_operations();
select pgq.maint_rotate_tables_step2();
select * from pgq.maint_operations() where func_name like 'pgq.%';

-- add-ons are asked for when installed
create schema pgq_node;
create table pgq_node.node_info (queue_name text, node_type text);
create function pgq_node.maint_watermark(text) returns int4 language sql as 'select 0';
insert into pgq_node.node_info values ('mq1', 'root'), ('mq2', 'leaf');
create schema londiste;
create table londiste.seq_info (queue_name text, seq_name text, local boolean);
create function londiste.root_check_seqs(text) returns int4 language sql as 'select 0';
create function londiste.periodic_maintenance() returns int4 language sql as 'select 0';
insert into londiste.seq_info values ('mq1', 's1', true), ('mq1', 's2', true), ('mq2', 's3', true);
update pgq.queue set queue_extra_maint = null;
select * from pgq.maint_operations() where func_name not like 'pgq.%';
drop schema pgq_node cascade;
drop schema londiste cascade;

select pgq.drop_queue('mq1');
select pgq.drop_queue('mq2');
