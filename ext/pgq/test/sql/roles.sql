-- Roles: what PUBLIC, pgq_reader, pgq_writer and pgq_admin may call and
-- touch, tried both ways.  Each call runs in a subtransaction that is
-- rolled back; 'denied' means a permission error, 'allowed' anything else
-- (success or an ordinary error from inside the function).  As upstream,
-- tune_storage is granted to pgq_admin but runs as the caller, and ALTER
-- TABLE needs the tables' owner; pgq_admin may insert into event tables
-- (bulk loading), which upstream once forgot.
\set VERBOSITY terse
create role u_public login;
create role u_reader login in role pgq_reader;
create role u_writer login in role pgq_writer;
create role u_admin login in role pgq_admin;

select pgq.create_queue('permq');
select pgq.set_queue_config('permq', 'ticker_max_count', '0');
select pgq.set_queue_config('permq', 'ticker_max_lag', '0');
select pgq.register_consumer('permq', 'pc');
select pgq.insert_event('permq', 't', 'd');
select pgq.ticker('permq') is not null as ticked;
select pgq.next_batch('permq', 'pc') as bid \gset
select queue_data_pfx || '_0' as evtable, queue_event_seq as evseq
  from pgq.queue where queue_name = 'permq' \gset

create function public.try(sql text) returns text language plpgsql as $$
begin
    begin
        execute sql;
        raise exception using errcode = 'P0099';
    exception
        when sqlstate 'P0099' then return 'allowed';
        when insufficient_privilege then return 'denied';
        when others then return 'allowed';
    end;
end $$;
create table public.calls (n serial, what text, sql text);
create table public.outcome (who text, n int, res text);
grant select on public.calls to public;
grant insert on public.outcome to public;

insert into public.calls (what, sql) values
 ('seq_getval', format('select pgq.seq_getval(%L)', :'evseq')),
 ('get_queue_info()', 'select pgq.get_queue_info()'),
 ('get_queue_info(q)', 'select pgq.get_queue_info(''permq'')'),
 ('get_consumer_info()', 'select pgq.get_consumer_info()'),
 ('get_consumer_info(q)', 'select pgq.get_consumer_info(''permq'')'),
 ('get_consumer_info(q,c)', 'select pgq.get_consumer_info(''permq'', ''pc'')'),
 ('quote_fqname', 'select pgq.quote_fqname(''a.b'')'),
 ('version', 'select pgq.version()'),
 ('batch_event_sql', 'select pgq.batch_event_sql(' || :bid || ')'),
 ('batch_event_tables', 'select pgq.batch_event_tables(' || :bid || ')'),
 ('find_tick_helper', 'select pgq.find_tick_helper(1, 1, now(), 1, 1, null)'),
 ('register_consumer', 'select pgq.register_consumer(''permq'', ''x'')'),
 ('register_consumer_at', 'select pgq.register_consumer_at(''permq'', ''x'', 1)'),
 ('unregister_consumer', 'select pgq.unregister_consumer(''permq'', ''pc'')'),
 ('next_batch_info', 'select pgq.next_batch_info(''permq'', ''pc'')'),
 ('next_batch', 'select pgq.next_batch(''permq'', ''pc'')'),
 ('next_batch_custom', 'select pgq.next_batch_custom(''permq'', ''pc'', null, null, null)'),
 ('get_batch_events', 'select pgq.get_batch_events(' || :bid || ')'),
 ('get_batch_info', 'select pgq.get_batch_info(' || :bid || ')'),
 ('get_batch_cursor(3)', 'select pgq.get_batch_cursor(' || :bid || ', ''c'', 1)'),
 ('get_batch_cursor(4)', 'select pgq.get_batch_cursor(' || :bid || ', ''c'', 1, null)'),
 ('event_retry(ts)', 'select pgq.event_retry(' || :bid || ', 1, now())'),
 ('event_retry(int)', 'select pgq.event_retry(' || :bid || ', 1, 0)'),
 ('batch_retry', 'select pgq.batch_retry(' || :bid || ', 0)'),
 ('force_tick', 'select pgq.force_tick(''permq'')'),
 ('finish_batch', 'select pgq.finish_batch(' || :bid || ')'),
 ('insert_event(3)', 'select pgq.insert_event(''permq'', ''t'', ''d'')'),
 ('insert_event(7)', 'select pgq.insert_event(''permq'', ''t'', ''d'', null, null, null, null)'),
 ('current_event_table', 'select pgq.current_event_table(''permq'')'),
 ('ticker()', 'select pgq.ticker()'),
 ('ticker(q)', 'select pgq.ticker(''permq'')'),
 ('ticker(q,id,ts,seq)', 'select pgq.ticker(''permq'', 100, now(), 1)'),
 ('maint_retry_events', 'select pgq.maint_retry_events()'),
 ('maint_rotate_tables_step1', 'select pgq.maint_rotate_tables_step1(''permq'')'),
 ('maint_rotate_tables_step2', 'select pgq.maint_rotate_tables_step2()'),
 ('maint_tables_to_vacuum', 'select pgq.maint_tables_to_vacuum()'),
 ('maint_operations', 'select pgq.maint_operations()'),
 ('upgrade_schema', 'select pgq.upgrade_schema()'),
 ('grant_perms', 'select pgq.grant_perms(''permq'')'),
 ('_grant_perms_from', 'select pgq._grant_perms_from(''pgq'', ''event_template'', ''pgq'', ''event_template'')'),
 ('tune_storage', 'select pgq.tune_storage(''permq'')'),
 ('seq_setval', format('select pgq.seq_setval(%L, 1)', :'evseq')),
 ('create_queue', 'select pgq.create_queue(''newq'')'),
 ('drop_queue(q)', 'select pgq.drop_queue(''permq'')'),
 ('drop_queue(q,force)', 'select pgq.drop_queue(''permq'', true)'),
 ('set_queue_config', 'select pgq.set_queue_config(''permq'', ''ticker_max_lag'', ''1'')'),
 ('insert_event_raw', 'select pgq.insert_event_raw(''permq'', null, null, null, null, ''t'', ''d'', null, null, null, null)'),
 ('event_retry_raw', 'select pgq.event_retry_raw(''permq'', ''pc'', now(), null, now(), 0, ''t'', ''d'', null, null, null, null)'),
 ('select pgq.queue', 'select * from pgq.queue'),
 ('select pgq.subscription', 'select * from pgq.subscription'),
 ('select pgq.retry_queue', 'select * from pgq.retry_queue'),
 ('select event table', 'select * from ' || :'evtable'),
 ('insert event table', 'insert into ' || :'evtable' || ' (ev_time) values (now())'),
 ('update pgq.queue', 'update pgq.queue set queue_disable_insert = false'),
 ('delete pgq.tick', 'delete from pgq.tick where false');

set role u_public;
insert into public.outcome select 'public', n, public.try(sql) from public.calls;
set role u_reader;
insert into public.outcome select 'reader', n, public.try(sql) from public.calls;
set role u_writer;
insert into public.outcome select 'writer', n, public.try(sql) from public.calls;
set role u_admin;
insert into public.outcome select 'admin', n, public.try(sql) from public.calls;
reset role;

select c.what,
       max(o.res) filter (where o.who = 'public') as public,
       max(o.res) filter (where o.who = 'reader') as reader,
       max(o.res) filter (where o.who = 'writer') as writer,
       max(o.res) filter (where o.who = 'admin') as admin
  from public.calls c join public.outcome o using (n)
 group by c.n, c.what order by c.n;

-- a refusal names the function
set role u_reader;
select pgq.insert_event('permq', 't', 'd');
set role u_writer;
select pgq.next_batch('permq', 'pc');
set role u_public;
select pgq.create_queue('x');
reset role;

drop table public.calls, public.outcome;
drop function public.try(text);
select pgq.drop_queue('permq', true);
drop role u_public, u_reader, u_writer, u_admin;
