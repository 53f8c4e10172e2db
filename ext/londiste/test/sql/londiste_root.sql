-- A root node: registering tables and sequences, their triggers and the
-- events that announce them, removal, missing objects, sequence
-- publishing, refusals.
\set VERBOSITY terse
set client_min_messages = warning;
create extension if not exists londiste cascade;
reset client_min_messages;

create function events() returns table (ev_type text, ev_data text, ev_extra1 text, ev_extra2 text)
language sql as $$
    select ev_type, ev_data, ev_extra1, ev_extra2 from pgq.event_template where false
$$;
create or replace function events(q text) returns table (ev_type text, ev_data text, ev_extra1 text, ev_extra2 text)
language plpgsql as $$
declare tbl text;
begin
    select queue_data_pfx into tbl from pgq.queue where queue_name = q;
    return query execute 'select ev_type, coalesce(ev_data, ''<NULL>''), ev_extra1, ev_extra2 from '
        || tbl || ' order by ev_id';
end $$;
create function triggers() returns table (tbl regclass, tgname name, def text)
language sql as $$
    select tgrelid::regclass, tgname,
           regexp_replace(pg_get_triggerdef(oid), '^CREATE TRIGGER \S+ ', '')
      from pg_trigger where not tgisinternal and tgrelid <> 'londiste.table_info'::regclass
     order by tgrelid::regclass::text, tgname
$$;

-- no node yet
select * from londiste.local_add_table('rq', 't1');
select * from londiste.get_table_list('rq');
select * from londiste.local_show_missing('rq');

select * from pgq_node.register_location('rq', 'n1', 'dbname=n1', false);
select * from pgq_node.create_node('rq', 'root', 'n1', 'n1_worker', null, null, null);

create table t1 (id int primary key, v text);
create table nopk (v text);
create schema "S";
create table "S"."Mixed T" (a int, b int, c text, primary key (a, b));
create table t3 (id serial primary key, x bigserial, v text);
create sequence s1;
create view v1 as select 1 as x;

select * from londiste.local_show_missing('rq');

-- refusals
select * from londiste.local_add_table('rq', 'nosuch');
select * from londiste.local_add_table('rq', 'nopk');
select * from londiste.local_add_table('rq', 'v1');
select * from londiste.local_add_table('noq', 't1');
select * from londiste.local_add_table('rq', 't1', array['merge_all', 'no_merge']);
select * from londiste.get_table_list('rq');

-- adding
select * from londiste.local_add_table('rq', 't1');
select * from londiste.local_add_table('rq', 't1');
select * from londiste.local_add_table('rq', 't1', array['backup']);
select * from londiste.local_add_table('rq', 't1', null, 'handler=x');
select * from londiste.local_add_table('rq', 'S.Mixed T', array['tgflags=BI', 'SKIP']);
select * from londiste.local_add_table('rq', 't3', array['ignore=v', 'pkey=id', 'backup', 'when=true'], 'skip_truncate=1', null);
select * from londiste.local_add_table('rq', 't3', array['ignore=v', 'pkey=id', 'backup', 'when=true'], 'skip_truncate=1', null);
select * from londiste.local_add_table('rq', 't3', null, 'handler=x&skip_truncate=1', null);
select * from londiste.local_add_table('rq', 't3', null, null, null);
select * from londiste.get_table_list('rq');
select * from triggers();
select * from events('rq');
select * from londiste.local_show_missing('rq');

-- the triggers write events
insert into t1 values (1, 'a b'), (2, null);
update t1 set v = 'x' where id = 1;
delete from t1 where id = 2;
truncate t1;
insert into t3 (v) values ('one');
insert into "S"."Mixed T" values (1, 2, 'skipped');
select count(*) from "S"."Mixed T";
select * from events('rq') offset 3;

-- change handler: the trigger follows the new arguments
select * from londiste.local_change_handler('rq', 't1', array['backup'], 'handler=foo');
select * from londiste.local_change_handler('rq', 'nosuch', array['backup'], '');
select * from londiste.local_change_handler('rq', 'public.t1', array['backup'], 'handler=foo');
select * from londiste.local_change_handler('rq', 'public.t1', array['backup'], 'handler=foo');
select table_name, table_attrs from londiste.get_table_list('rq');
select * from triggers() where tbl = 't1'::regclass;

-- attributes and state on the root
select * from londiste.local_set_table_attrs('rq', 't1', 'handler=bar');
select * from londiste.local_set_table_attrs('rq', 'nosuch', 'handler=bar');
select * from londiste.local_set_table_attrs('rq', 'public.t1', 'handler=bar');
select table_name, table_attrs from londiste.get_table_list('rq');
select * from londiste.local_set_table_state('rq', 't1', null, 'ok');
select * from londiste.local_set_table_state('rq', 'nosuch', null, 'ok');
select * from londiste.local_set_table_struct('rq', 't1', null);
select * from londiste.local_set_table_struct('rq', 'public.t1', null);
select * from londiste.local_set_table_struct('rq', 'public.t1', 'create index x on t1 (v)');
select * from londiste.local_set_table_state('rq', 'public.t1', '1:2:', 'in-copy');
select * from londiste.local_set_table_struct('rq', 'public.t1', 'create index x on t1 (v)');
select * from londiste.get_table_list('rq');
select * from londiste.local_set_table_struct('rq', 'public.t1', null);
select * from londiste.local_set_table_state('rq', 'public.t1', null, 'ok');

-- sequences
select * from londiste.local_add_seq('rq', 's1');
select * from londiste.local_add_seq('rq', 's1');
select * from londiste.local_add_seq('rq', 'nosuch');
select * from londiste.local_add_seq('rq', 't1');
select * from londiste.get_seq_list('rq');
select * from londiste.root_check_seqs('rq');
select setval('s1', 29000);
select * from londiste.root_check_seqs('rq');
select * from londiste.get_seq_list('rq');
select setval('s1', 100000);
select * from londiste.root_check_seqs('rq', 5);
select * from londiste.get_seq_list('rq');
select * from londiste.root_check_seqs('rq', 100);
select * from londiste.get_seq_list('rq');
select * from londiste.global_update_seq('rq', 's1', 5);
select * from londiste.root_check_seqs('noq');
select * from londiste.local_add_seq('rq', 't3_id_seq');
select * from londiste.local_add_seq('rq', 't3_x_seq');
select * from londiste.get_seq_list('rq');

-- removal: the table's own sequences go with it
select * from londiste.local_remove_seq('rq', 's1');
select * from londiste.local_remove_seq('rq', 's1');
select * from londiste.local_remove_table('rq', 't3');
select * from londiste.local_remove_table('rq', 't3');
select * from londiste.local_remove_table('rq', 'nosuch');
select * from londiste.get_seq_list('rq');
select table_name from londiste.get_table_list('rq');
select * from triggers();
select * from events('rq') offset 3;

-- global registration on the root
select * from londiste.global_add_table('rq', 'public.virtual');
select * from londiste.global_add_table('rq', 'public.virtual');
select * from londiste.global_add_table('noq', 'public.virtual');
select table_name, local, merge_state from londiste.get_table_list('rq');
select * from londiste.global_remove_table('rq', 'public.virtual');
select * from londiste.global_remove_table('rq', 'public.virtual');
select * from londiste.global_remove_seq('rq', 'public.nosuch');
select * from londiste.local_add_seq('rq', 's1');
select * from londiste.global_remove_seq('rq', 'public.s1');
select * from londiste.get_seq_list('rq');
select * from events('rq') offset 19;
select * from londiste.root_notify_change('rq', 'my.event', 'data');
select * from londiste.root_notify_change('noq', 'my.event', 'data');
select ev_type, ev_data from events('rq') where ev_type = 'my.event';

-- dropping the table registration drops its triggers
delete from londiste.table_info where table_name = 'S.Mixed T';
select * from triggers();
