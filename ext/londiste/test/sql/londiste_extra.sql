-- Foreign keys dropped for a copy and restored, EXECUTE bookkeeping,
-- trigger conflicts (SKIP, other row triggers), dropped DDL put back on
-- removal, partition helpers, maintenance.
\set VERBOSITY terse
set client_min_messages = warning;
create extension if not exists londiste cascade;
reset client_min_messages;

select * from pgq_node.register_location('xq', 'xroot', 'dbname=xroot', false);
select * from pgq_node.create_node('xq', 'root', 'xroot', 'xroot_worker', null, null, null);
select * from pgq_node.register_location('yq', 'yroot', 'dbname=yroot', false);
select * from pgq_node.register_location('yq', 'yleaf', 'dbname=yleaf', false);
select * from pgq_node.create_node('yq', 'leaf', 'yleaf', 'yleaf_worker', 'yroot', 1, null);

-- foreign keys
create table parent (id int primary key);
create table child (id int primary key, pid int constraint child_pid_fkey references parent on delete cascade);
create table grandchild (id int primary key, cid int, constraint "Odd FK" foreign key (cid) references child (id) not valid);
select * from londiste.find_table_fkeys('child');
select * from londiste.find_table_fkeys('parent');
select * from londiste.find_table_fkeys('nosuch');
select * from londiste.drop_table_fkey('public.child', 'child_pid_fkey');
select * from londiste.drop_table_fkey('public.child', 'child_pid_fkey');
select * from londiste.drop_table_fkey('public.grandchild', 'Odd FK');
select conname from pg_constraint where contype = 'f' order by 1;
select * from londiste.get_table_pending_fkeys('public.parent');
select * from londiste.get_table_pending_fkeys('public.grandchild');
-- valid to restore once both tables are local and ok on the queue
select * from londiste.get_valid_pending_fkeys('yq');
select * from londiste.global_add_table('yq', 'public.parent');
select * from londiste.global_add_table('yq', 'public.child');
select * from londiste.local_add_table('yq', 'parent');
select * from londiste.local_add_table('yq', 'child', array['expect_sync']);
select * from londiste.get_valid_pending_fkeys('yq');
select * from londiste.local_set_table_state('yq', 'public.parent', null, 'ok');
select * from londiste.get_valid_pending_fkeys('yq');
select * from londiste.local_set_table_state('yq', 'public.child', '1:2:', 'ok');
select * from londiste.get_valid_pending_fkeys('yq');
select * from londiste.local_set_table_state('yq', 'public.child', null, 'ok');
select * from londiste.get_valid_pending_fkeys('yq');
select * from londiste.restore_table_fkey('public.child', 'child_pid_fkey');
select * from londiste.restore_table_fkey('public.child', 'child_pid_fkey');
select conname, convalidated from pg_constraint where contype = 'f' order by 1;
-- lazy: NOT VALID first, then VALIDATE, then forgotten; the caller runs
-- each statement returned
select * from londiste.restore_table_fkey('public.grandchild', 'Odd FK', true) \gset
\echo :restore_table_fkey
:restore_table_fkey;
select conname, convalidated from pg_constraint where conname = 'Odd FK';
select fkey_name from londiste.get_table_pending_fkeys('public.grandchild');
select * from londiste.restore_table_fkey('public.grandchild', 'Odd FK', true) \gset
\echo :restore_table_fkey
:restore_table_fkey;
select conname, convalidated from pg_constraint where conname = 'Odd FK';
select * from londiste.restore_table_fkey('public.grandchild', 'Odd FK', true);
select * from londiste.get_table_pending_fkeys('public.grandchild');
select * from londiste.restore_table_fkey('public.grandchild', 'Odd FK', true);
select * from londiste.restore_table_fkey('public.grandchild', 'Odd FK');

-- EXECUTE bookkeeping
select * from londiste.execute_start('xq', 'a.sql', 'create table ddl1 (id int);', true);
select * from londiste.execute_start('xq', 'a.sql', 'create table ddl1 (id int);', true);
select * from londiste.execute_finish('xq', 'a.sql');
select * from londiste.execute_finish('xq', 'b.sql');
select * from londiste.execute_start('xq', 'c.sql', 'select 1;', false, 'need_tables=public.t1');
select * from londiste.execute_finish('xq', 'c.sql');
select * from londiste.execute_start('yq', 'd.sql', 'select 2;', true);
select * from londiste.execute_start('yq', 'd.sql', 'select 2;', false);
select * from londiste.execute_finish('yq', 'd.sql');
select * from londiste.execute_start('yq', 'a.sql', 'select 2;', false);
select queue_name, execute_file, execute_sql, execute_attrs from londiste.applied_execute order by execute_file;
select ev_type, ev_data, ev_extra1, ev_extra2 from pgq.event_template where false;
do $$
declare r record;
begin
    for r in execute 'select ev_type, ev_data, ev_extra1, ev_extra2 from '
        || (select queue_data_pfx from pgq.queue where queue_name = 'xq')
        || ' where ev_type = ''EXECUTE'' order by ev_id'
    loop
        raise notice '% % % %', r.ev_type, r.ev_data, r.ev_extra1, r.ev_extra2;
    end loop;
end $$;
select londiste.periodic_maintenance();
update londiste.applied_execute set execute_time = now() - interval '4 months' where execute_file = 'a.sql';
select londiste.periodic_maintenance();
select execute_file from londiste.applied_execute order by 1;

-- trigger conflicts on the root
create table tr (id int primary key, v text);
create function noop() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger aaa_first after insert on tr for each row execute function noop();
select * from londiste.local_add_table('xq', 'tr');
create table tr2 (id int primary key, v text);
create trigger "A_first" after insert on tr2 for each row execute function noop();
create trigger "B_before" before insert on tr2 for each row execute function noop();
select * from londiste.local_add_table('xq', 'tr2');
create table sk (id int primary key);
create trigger other_skip before insert on sk for each row execute function pgq.logutriga('other', 'SKIP');
select * from londiste.local_add_table('xq', 'sk', array['SKIP']);
select tgname from pg_trigger where tgrelid = 'sk'::regclass order by 1;
select * from londiste.create_trigger('xq', 'public.sk', array['tgflags=B', 'SKIP'], 'public.sk', 'root');
select tgname, regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ ', '')
  from pg_trigger where tgrelid = 'sk'::regclass order by 1;
create table sk2 (id int primary key);
create trigger s1 before insert on sk2 for each row execute function pgq.logutriga('o1', 'SKIP');
create trigger s2 before insert on sk2 for each row execute function pgq.logutriga('o2', 'SKIP');
select * from londiste.local_add_table('xq', 'sk2', array['SKIP']);
select * from londiste.create_trigger('xq', 'public.sk2', array['tgflags=B', 'SKIP'], 'public.sk2', 'root');
select * from londiste.create_trigger('xq', 'public.sk2', array['tgflags=B'], 'public.sk2', 'root');
select * from londiste.create_trigger('xq', 'public.sk2', array['tgflags=A'], 'public.sk2', 'root');
select tgname from pg_trigger where tgrelid = 'sk2'::regclass order by 1;
create table sk3 (id int primary key);
create trigger s1 before insert on sk3 for each row execute function pgq.logutriga('o1', 'SKIP');
select * from londiste.local_add_table('xq', 'sk3');
create table fl (id int primary key);
select * from londiste.local_add_table('xq', 'fl', array['tgflags=QU']);
select * from londiste.local_add_table('xq', 'fl2', array['tgflags=J']);
create table fl3 (id int primary key);
select * from londiste.local_add_table('xq', 'fl3', array['tgflags=BJ']);
select tgrelid::regclass, tgname, regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ ', '')
  from pg_trigger where tgrelid in ('fl'::regclass, 'fl3'::regclass) order by 1, 2;
select * from londiste.create_trigger('xq', 'public.fl', array['tgflags=L', 'backup'], 'public.fl', 'root');
select * from londiste.create_trigger('xq', 'public.fl', array['tgflags=L', 'backup'], 'public.fl', 'root');
select tgname, regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ ', '')
  from pg_trigger where tgrelid = 'fl'::regclass order by 1;
select * from londiste.create_trigger('xq', 'public.fl', array['no_triggers'], 'public.fl', 'root');
select * from londiste.create_trigger('xq', 'public.fl', array['virtual_table'], 'public.fl', 'root');
select * from londiste.create_trigger('xq', 'public.fl', array['tgflags=X'], 'public.fl', 'root');
select * from londiste.create_trigger('xq', 'public.fl', array[]::text[], 'public.fl', 'leaf');
select * from londiste.create_trigger('xq', 'public.fl', array['ev_extra1=''x'''], 'public.fl3', 'branch');
select tgrelid::regclass, tgname, regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ ', '')
  from pg_trigger where tgrelid in ('fl'::regclass, 'fl3'::regclass) order by 1, 2;
select * from londiste.drop_table_triggers('xq', 'public.fl');
select tgname from pg_trigger where tgrelid = 'fl'::regclass;

-- dropped DDL is put back when the table is removed during a copy
create table dd (id int primary key, v text);
insert into dd values (1, 'x');
select * from londiste.global_add_table('yq', 'public.dd');
select * from londiste.local_add_table('yq', 'dd');
select * from londiste.local_set_table_state('yq', 'public.dd', null, 'in-copy');
select * from londiste.local_set_table_struct('yq', 'public.dd', 'create index dd_v on public.dd (v);');
select * from londiste.local_remove_table('yq', 'dd');
select count(*) from dd;
select indexrelid::regclass from pg_index where indrelid = 'dd'::regclass order by 1;
select table_name, local, merge_state, dropped_ddl from londiste.get_table_list('yq') where table_name = 'public.dd';

-- partitions (inheritance)
create table events_p (id int primary key, at timestamptz, v text);
grant select on events_p to public;
create trigger ev_noop after insert on events_p for each row execute function noop();
select londiste.create_partition('public.events_p', 'public.events_p_2024_01', 'id', 'at', '2024-01-15 10:00+00', 'month');
select londiste.create_partition('public.events_p', 'public.events_p_2024_01', 'id', 'at', '2024-01-15 10:00+00', 'month');
select londiste.create_partition('public.events_p', 'public.events_p_2024_02_03', 'id', 'at', '2024-02-03 10:00+00', 'day');
select londiste.create_partition('public.events_p', 'public.events_p_2020', 'id', null, '2020-02-03 10:00+00', 'year');
select c.relname, pg_get_constraintdef(k.oid) from pg_constraint k join pg_class c on c.oid = k.conrelid
 where k.contype = 'c' and c.relname like 'events_p%' order by 1;
select relname, relacl from pg_class where relname like 'events_p_%' and relkind = 'r' order by 1;
select tgrelid::regclass, tgname from pg_trigger where tgrelid::regclass::text like 'events_p_%' order by 1, 2;
select londiste.is_obsolete_partition('public.events_p_2024_01', '1 day', 'month');
select londiste.is_obsolete_partition('public.events_p_2024_01', '100 years', 'month');
select londiste.is_obsolete_partition('public.events_p_2024_02_03', '1 day', 'day');
select londiste.is_obsolete_partition('public.events_p_2024_02_03', '1 day', 'month');
select londiste.is_obsolete_partition('public.events_p_x', '1 day', 'month');
select * from londiste.list_obsolete_partitions('public.events_p', '1 day', 'month');
select * from londiste.list_obsolete_partitions('public.events_p', '1 day', 'day');
select * from londiste.drop_obsolete_partitions('public.events_p', '1 day', 'month');
select relname from pg_class where relname like 'events_p_%' and relkind = 'r' order by 1;

-- version and schema upgrade
select londiste.version() ~ '^3\.';
select londiste.upgrade_schema();
