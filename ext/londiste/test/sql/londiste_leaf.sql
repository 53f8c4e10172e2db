-- Subscribers: a leaf and a branch in one database (one node per queue).
-- Tables and sequences registered by the worker as the root announces
-- them, attached locally, copy states, deny triggers on a leaf, removal.
\set VERBOSITY terse
set client_min_messages = warning;
create extension if not exists londiste cascade;
reset client_min_messages;

create function triggers() returns table (tbl regclass, tgname name, def text)
language sql as $$
    select tgrelid::regclass, tgname,
           regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ ', '')
      from pg_trigger where not tgisinternal and tgrelid <> 'londiste.table_info'::regclass
     order by tgrelid::regclass::text, tgname
$$;

select * from pgq_node.register_location('lq', 'root1', 'dbname=root1', false);
select * from pgq_node.register_location('lq', 'leaf1', 'dbname=leaf1', false);
select * from pgq_node.create_node('lq', 'leaf', 'leaf1', 'leaf1_worker', 'root1', 100, null);
select * from pgq_node.register_location('bq', 'root2', 'dbname=root2', false);
select * from pgq_node.register_location('bq', 'branch2', 'dbname=branch2', false);
select * from pgq_node.create_node('bq', 'branch', 'branch2', 'branch2_worker', 'root2', 100, null);

create table t1 (id int primary key, v text);
create table t2 (id int primary key, v text);
create table nopk (v text);
create table renamed (id int primary key, v text);
create sequence s1;
create sequence s2;

-- nothing is registered yet: the root has not announced it
select * from londiste.local_show_missing('lq');
select * from londiste.local_add_table('lq', 't1');
select * from londiste.local_add_seq('lq', 's1');

-- the worker registers what the root announces
select * from londiste.global_add_table('lq', 'public.t1');
select * from londiste.global_add_table('lq', 'public.t2');
select * from londiste.global_add_table('lq', 'public.nopk');
select * from londiste.global_add_table('lq', 'public.other');
select * from londiste.global_add_table('lq', 'public.t1');
select * from londiste.global_update_seq('lq', 'public.s1', 500);
select * from londiste.global_update_seq('lq', 'public.s2', 700);
select * from londiste.global_update_seq('lq', 'public.s1', 300);
select * from londiste.global_update_seq('noq', 'public.s1', 300);
select * from londiste.get_table_list('lq');
select * from londiste.get_seq_list('lq');
select * from londiste.local_show_missing('lq');

-- attaching locally: copy needed (no state), a deny trigger on a leaf
select * from londiste.local_add_table('lq', 't1');
select * from londiste.local_add_table('lq', 'nopk');
select * from londiste.local_add_table('lq', 'public.other');
select * from londiste.local_add_table('lq', 't2', array['expect_sync', 'skip_truncate']);
select * from londiste.local_add_table('lq', 't1', array['no_triggers']);
select * from londiste.get_table_list('lq');
select * from triggers();
select * from londiste.local_show_missing('lq');

-- a leaf refuses local writes; replay (replica role) passes
insert into t1 values (1, 'local');
select londiste.set_session_replication_role('replica', false);
show session_replication_role;
insert into t1 values (1, 'replayed');
select londiste.set_session_replication_role('origin', false);
begin;
select londiste.set_session_replication_role('replica', true);
show session_replication_role;
commit;
show session_replication_role;
select * from t1;
-- only origin, replica and local are taken
select londiste.set_session_replication_role('always', false);
select londiste.set_session_replication_role(null, false);
show session_replication_role;

-- a different destination table
select * from londiste.global_add_table('lq', 'public.src');
select * from londiste.local_add_table('lq', 'public.src', null, null, 'public.renamed');
select table_name, local, merge_state, dest_table from londiste.get_table_list('lq') where table_name = 'public.src';
select * from triggers() where tbl = 'renamed'::regclass;
select * from londiste.local_show_missing('lq');

-- copy states, as the worker and the copy process move them
select * from londiste.local_set_table_state('lq', 'public.t1', '10:20:12,15', 'in-copy');
select * from londiste.local_set_table_state('lq', 'public.t1', '10:20:12,15', 'catching-up');
select * from londiste.local_set_table_state('lq', 'public.t1', '10:20:12,15', 'wanna-sync:1234');
select * from londiste.local_set_table_state('lq', 'public.t1', null, 'ok');
select * from londiste.local_set_table_state('lq', 'public.other', null, 'ok');
select table_name, local, merge_state, custom_snapshot from londiste.get_table_list('lq');

-- sequences
select * from londiste.local_add_seq('lq', 's1');
select last_value from s1;
select * from londiste.local_add_seq('lq', 's1');
select * from londiste.local_add_seq('lq', 'nosuch');
select * from londiste.global_update_seq('lq', 'public.s1', 900);
select last_value from s1;
select * from londiste.global_update_seq('lq', 'public.s1', 800);
select last_value from s1;
select * from londiste.get_seq_list('lq');
select * from londiste.local_remove_seq('lq', 's1');
select * from londiste.local_remove_seq('lq', 's1');
select * from londiste.local_remove_seq('lq', 's2');
select * from londiste.global_remove_seq('lq', 'public.s2');
select * from londiste.get_seq_list('lq');

-- removal on a subscriber: local first, the registration stays
select * from londiste.local_remove_table('lq', 't1');
select * from londiste.local_remove_table('lq', 't1');
select table_name, local, merge_state from londiste.get_table_list('lq');
select * from triggers() where tbl = 't1'::regclass;
select * from londiste.global_remove_table('lq', 'public.t2');
select * from londiste.global_remove_table('lq', 'public.t2');
select table_name, local from londiste.get_table_list('lq');
select * from triggers() where tbl = 't2'::regclass;

-- a branch: ordinary logging triggers, no deny
select * from londiste.global_add_table('bq', 'public.t1');
select * from londiste.local_add_table('bq', 't1');
select * from triggers() where tbl = 't1'::regclass;
select * from londiste.root_check_seqs('bq');
select * from londiste.root_notify_change('bq', 'x', 'y');
select * from londiste.local_add_table('bq', 'public.t1', array['tgflags=BIUD', 'SKIP']);
select * from londiste.get_table_list('bq');
-- removing the node takes its registrations along
select * from pgq_node.drop_node('bq', 'branch2');
select * from londiste.get_table_list('bq');
select * from triggers() where tbl = 't1'::regclass;
