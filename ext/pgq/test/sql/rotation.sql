-- Table rotation: step 1 empties the next table and moves inserts there,
-- step 2 (a later transaction) marks the switch complete; batches read the
-- tables their transactions may have written; a lagging consumer holds
-- rotation back so that no table it still needs is truncated.
\set VERBOSITY terse
select pgq.create_queue('rot');
select pgq.set_queue_config('rot', 'ticker_max_count', '0');
select pgq.set_queue_config('rot', 'ticker_max_lag', '0');
select pgq.set_queue_config('rot', 'ticker_idle_period', '0');
select queue_id as qid, queue_data_pfx as pfx from pgq.queue where queue_name = 'rot' \gset
\set tbl0 :pfx '_0'
\set tbl1 :pfx '_1'
\set tbl2 :pfx '_2'
select pgq.register_consumer('rot', 'slow');
select pgq.register_consumer('rot', 'fast');

-- not due (the period is 2 hours): nothing to do
select * from pgq.maint_operations() where func_arg = 'rot' or func_name like '%step2';
select pgq.maint_rotate_tables_step1('rot');
select queue_cur_table from pgq.queue where queue_id = :qid;

-- due, but both consumers still sit at the queue's first tick, which
-- predates the last switch mark: rotation waits
select pgq.set_queue_config('rot', 'rotation_period', '0');
select * from pgq.maint_operations() where func_arg = 'rot' or func_name like '%step2';
select pgq.maint_rotate_tables_step1('rot');
select queue_cur_table from pgq.queue where queue_id = :qid;

select pgq.insert_event('rot', 'e', 'e1 in table 0');
select pgq.ticker('rot') is not null as ticked;
select ev_data from pgq.get_batch_events(pgq.next_batch('rot', 'fast'));
select pgq.finish_batch(pgq.next_batch('rot', 'fast'));
select pgq.finish_batch(pgq.next_batch('rot', 'slow'));

-- now it rotates: inserts go to table 1; until step 2 it is in flight and
-- step 1 is neither listed nor done again
select pgq.maint_rotate_tables_step1('rot');
select queue_cur_table, queue_switch_step2 is null as in_flight from pgq.queue where queue_id = :qid;
select * from pgq.maint_operations() where func_arg = 'rot' or func_name like '%step2';
select pgq.maint_rotate_tables_step1('rot');
select queue_cur_table from pgq.queue where queue_id = :qid;
select pgq.maint_rotate_tables_step2();
select queue_cur_table, queue_switch_step2 is null as in_flight from pgq.queue where queue_id = :qid;
select pgq.current_event_table('rot') = :'tbl1' as now_table_1;

-- a batch that spans the switch reads both tables, previous first
select pgq.insert_event('rot', 'e', 'e2 in table 1');
select pgq.ticker('rot') is not null as ticked;
select pgq.next_batch('rot', 'fast') as f \gset
select t = :'tbl0' as t0, t = :'tbl1' as t1 from pgq.batch_event_tables(:f) t;
select ev_data from pgq.get_batch_events(:f);
select pgq.finish_batch(:f);

-- slow's position still reaches back before the switch: rotation waits,
-- so the table slow may still read is not truncated
select pgq.maint_rotate_tables_step1('rot');
select queue_cur_table from pgq.queue where queue_id = :qid;
select pgq.next_batch('rot', 'slow') as s \gset
select ev_data from pgq.get_batch_events(:s);
select pgq.finish_batch(:s);

-- batches that start after the switch read the current table only
select pgq.insert_event('rot', 'e', 'e3 in table 1');
select pgq.ticker('rot') is not null as ticked;
select pgq.next_batch('rot', 'slow') as s \gset
select t = :'tbl1' as t1 from pgq.batch_event_tables(:s) t;
select ev_data from pgq.get_batch_events(:s);
select pgq.finish_batch(:s);
select pgq.finish_batch(pgq.next_batch('rot', 'fast'));

-- the next rotation moves to table 2
select pgq.maint_rotate_tables_step1('rot');
select pgq.maint_rotate_tables_step2();
select queue_cur_table from pgq.queue where queue_id = :qid;
select pgq.insert_event('rot', 'e', 'e4 in table 2');
select pgq.ticker('rot') is not null as ticked;
select pgq.finish_batch(pgq.next_batch('rot', 'fast'));
select pgq.finish_batch(pgq.next_batch('rot', 'slow'));
select pgq.ticker('rot') is not null as ticked;
select pgq.finish_batch(pgq.next_batch('rot', 'fast'));
select pgq.finish_batch(pgq.next_batch('rot', 'slow'));

-- and the one after back to table 0, which is emptied with TRUNCATE; the
-- ticks of batches wholly in recycled data go too
select count(*) as rows_in_0 from :tbl0;
select count(*) as ticks_before from pgq.tick where tick_queue = :qid;
select pgq.maint_rotate_tables_step1('rot');
select pgq.maint_rotate_tables_step2();
select queue_cur_table from pgq.queue where queue_id = :qid;
select count(*) as rows_in_0 from :tbl0;
select count(*) as rows_in_1, (select count(*) from :tbl2) as rows_in_2 from :tbl1;
select count(*) as ticks_after from pgq.tick where tick_queue = :qid;

-- consumers read on
select pgq.insert_event('rot', 'e', 'e5 in table 0');
select pgq.ticker('rot') is not null as ticked;
select ev_data from pgq.get_batch_events(pgq.next_batch('rot', 'slow'));
select ev_data from pgq.get_batch_events(pgq.next_batch('rot', 'fast'));

-- (a table locked by another session is skipped, not waited for: see
-- specs/rotation_lock.spec)
select pgq.drop_queue('rot', true);
