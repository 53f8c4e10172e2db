-- Queue administration: create, configure, inspect and drop queues, and
-- the per-queue objects they own.  Bad input gets upstream's errors.
\set VERBOSITY terse

select pgq.create_queue('testq');
select pgq.create_queue('testq');           -- exists: 0, no error
select pgq.create_queue(null);              -- Invalid NULL value
-- names with quotes, spaces, mixed case and dots are plain values
select pgq.create_queue('Odd "Queue" name.x');
select pgq.create_queue('o''brien');

select queue_id > 0 as has_id, queue_name, queue_ntables, queue_cur_table,
       queue_rotation_period, queue_external_ticker, queue_disable_insert,
       queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,
       queue_ticker_idle_period, queue_per_tx_limit,
       queue_data_pfx = 'pgq.event_' || queue_id as pfx_ok,
       queue_event_seq = queue_data_pfx || '_id_seq' as evseq_ok,
       queue_tick_seq = queue_data_pfx || '_tick_seq' as tickseq_ok,
       queue_switch_step1 = queue_switch_step2 as steps_equal,
       queue_extra_maint
  from pgq.queue order by queue_name;

-- the per-queue objects: a parent, three children with id default, txid
-- index and storage options, two sequences; the first tick exists
select regexp_replace(c.relname, '^event_[0-9]+', 'event_N') as relname, c.relkind,
       c.reloptions, t.reloptions as toast_options,
       (select count(*) from pg_inherits i where i.inhrelid = c.oid) as parents
  from pg_class c left join pg_class t on t.oid = c.reltoastrelid
 where c.relnamespace = 'pgq'::regnamespace
   and c.relname like 'event\_' || (select queue_id from pgq.queue where queue_name = 'testq') || '%'
 order by c.relname;
select pg_get_expr(d.adbin, d.adrelid) ~ '^nextval\(''pgq\.event_[0-9]+_id_seq''::regclass\)$' as default_ok
  from pgq.queue q, pg_attrdef d, pg_attribute a
 where q.queue_name = 'testq'
   and d.adrelid = (q.queue_data_pfx || '_1')::regclass
   and a.attrelid = d.adrelid and a.attnum = d.adnum and a.attname = 'ev_id';
select tick_id, tick_event_seq from pgq.tick t, pgq.queue q
 where q.queue_name = 'testq' and t.tick_queue = q.queue_id;

-- privileges copied from the template onto each data table
select grantee, string_agg(privilege_type, ',' order by privilege_type)
  from information_schema.table_privileges, pgq.queue q
 where q.queue_name = 'testq' and table_schema = 'pgq'
   and table_name = 'event_' || q.queue_id || '_2'
   and grantee in ('PUBLIC', 'pgq_reader', 'pgq_writer', 'pgq_admin')
 group by grantee order by grantee;

-- set_queue_config: names without the queue_ prefix; unknown names, NULLs,
-- bad values
select pgq.set_queue_config('testq', 'ticker_max_count', '10');
select pgq.set_queue_config('testq', 'ticker_max_lag', '5 seconds');
select pgq.set_queue_config('testq', 'queue_ticker_max_lag', '5 seconds');
select pgq.set_queue_config('testq', 'ticker_idle_period', '2 minutes');
select pgq.set_queue_config('testq', 'rotation_period', '1 hour');
select pgq.set_queue_config('testq', 'ticker_paused', 'true');
select pgq.set_queue_config('testq', 'ticker_paused', 'false');
select pgq.set_queue_config('testq', 'external_ticker', 'false');
select pgq.set_queue_config('testq', 'ntables', '5');
select pgq.set_queue_config('testq', 'disable_insert', 'true');
select pgq.set_queue_config('testq', 'foo', '1');
select pgq.set_queue_config('testq', 'ticker_max_count', 'many');
select pgq.set_queue_config('testq', 'ticker_max_count', null);
select pgq.set_queue_config('nosuch', 'ticker_max_count', '1');
select pgq.set_queue_config(null, 'ticker_max_count', '1');
select pgq.set_queue_config('testq', null, '1');
-- a value that looks like SQL stays a value
select pgq.set_queue_config('testq', 'ticker_max_lag', '1 second''; drop table pgq.tick; --');
select queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
       queue_rotation_period
  from pgq.queue where queue_name = 'testq';

select queue_name, queue_ntables, queue_cur_table, queue_rotation_period,
       queue_external_ticker, queue_ticker_paused, queue_ticker_max_count,
       queue_ticker_max_lag, queue_ticker_idle_period,
       ticker_lag >= '0'::interval as lag_ok, ev_new, last_tick_id
  from pgq.get_queue_info() order by 1;
select queue_name, last_tick_id from pgq.get_queue_info('testq');
select count(*) from pgq.get_queue_info('nosuch');

-- current_event_table
select pgq.current_event_table('testq') = queue_data_pfx || '_0'
  from pgq.queue where queue_name = 'testq';
select pgq.current_event_table('nosuch');
update pgq.queue set queue_disable_insert = true where queue_name = 'testq';
select pgq.current_event_table('testq');
set session_replication_role = replica;
select pgq.current_event_table('testq') is not null as replica_may_write;
reset session_replication_role;
update pgq.queue set queue_disable_insert = false where queue_name = 'testq';

-- helpers
select pgq.quote_fqname('x'), pgq.quote_fqname('Foo.Bar.baz'),
       pgq.quote_fqname('a b.c'), pgq.quote_fqname(null);
create sequence public.s1;
select pgq.seq_getval('s1'), pgq.seq_getval('public.s1');
select pgq.seq_setval('s1', 10), pgq.seq_setval('s1', 5), pgq.seq_getval('s1');
select pgq.seq_getval('nosuch_seq');
select pgq.seq_getval(null), pgq.seq_setval(null, 1), pgq.seq_setval('s1', null);
drop sequence public.s1;
select pgq.tune_storage('nosuch'), pgq.tune_storage('testq');
select pgq.grant_perms('nosuch');

-- drop_queue
select queue_id as testq_id from pgq.queue where queue_name = 'testq' \gset
select pgq.drop_queue('nosuch');
select pgq.drop_queue(null);
select pgq.register_consumer('testq', 'c1');
select pgq.drop_queue('testq');
select pgq.drop_queue('testq', false);
select pgq.drop_queue('testq', true);
select count(*) as leftovers from pg_class
 where relnamespace = 'pgq'::regnamespace
   and relname like 'event\_' || :testq_id || '\_%';
select count(*) as leftover_ticks from pgq.tick where tick_queue = :testq_id;
select count(*) from pgq.consumer;
select pgq.drop_queue('Odd "Queue" name.x');
select pgq.drop_queue('o''brien');
select count(*) from pgq.queue;
select count(*) from pgq.tick;
