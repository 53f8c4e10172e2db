-- ----------------------------------------------------------------------
-- grants.sql
--     Privileges: who may read which table and call which function.
--     PUBLIC may look (queue, consumer and tick tables, the info
--     functions); pgq_reader consumes, pgq_writer produces, pgq_admin
--     (member of both) administers and runs the ticker and maintenance.
--     Run by the install and every update script, so it first revokes.
-- ----------------------------------------------------------------------
grant usage on schema pgq to public;

revoke all on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription,
    pgq.event_template, pgq.retry_queue
    from public, pgq_reader, pgq_writer, pgq_admin;
grant select on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription
    to public, pgq_reader;
grant select, insert, update, delete
    on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription, pgq.retry_queue
    to pgq_admin;
grant select on pgq.event_template to pgq_reader;
grant select, insert, truncate on pgq.event_template to pgq_admin;

revoke all on function
    pgq.upgrade_schema(), pgq.batch_event_sql(bigint),
    pgq.batch_event_tables(bigint), pgq._batch_read_sql(text),
    pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval),
    pgq.register_consumer(text, text),
    pgq.register_consumer_at(text, text, bigint),
    pgq.unregister_consumer(text, text),
    pgq.next_batch_info(text, text), pgq.next_batch(text, text),
    pgq.next_batch_custom(text, text, interval, int4, interval),
    pgq.get_batch_events(bigint), pgq.get_batch_info(bigint),
    pgq.get_batch_cursor(bigint, text, int4, text),
    pgq.get_batch_cursor(bigint, text, int4),
    pgq.event_retry(bigint, bigint, timestamptz),
    pgq.event_retry(bigint, bigint, integer),
    pgq.batch_retry(bigint, integer), pgq.force_tick(text),
    pgq.finish_batch(bigint),
    pgq.insert_event(text, text, text),
    pgq.insert_event(text, text, text, text, text, text, text),
    pgq.current_event_table(text),
    pgq.ticker(text, bigint, timestamptz, bigint), pgq.ticker(text),
    pgq.ticker(), pgq.ticker_busy(interval),
    pgq._insert_tick(int4, text, text, bigint, bigint),
    pgq.maint_retry_events(),
    pgq.maint_rotate_tables_step1(text), pgq.maint_rotate_tables_step2(),
    pgq.maint_tables_to_vacuum(), pgq.maint_operations(),
    pgq.grant_perms(text), pgq._grant_perms_from(text, text, text, text),
    pgq.tune_storage(text), pgq.seq_setval(text, int8),
    pgq.create_queue(text), pgq.drop_queue(text, boolean),
    pgq.drop_queue(text), pgq.set_queue_config(text, text, text),
    pgq.insert_event_raw(text, bigint, timestamptz, integer, integer,
                         text, text, text, text, text, text),
    pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz,
                        integer, text, text, text, text, text, text)
    from public, pgq_reader, pgq_writer, pgq_admin;

-- The row-capture triggers and the C batch read exist only where C is
-- (not in the PL-only script), so their grants are looked up by name.
do $$
declare
    fn text;
begin
    if pg_catalog.to_regprocedure('pgq._batch_rows(text)') is not null then
        revoke all on function pgq._batch_rows(text)
            from public, pgq_reader, pgq_writer, pgq_admin;
        grant execute on function pgq._batch_rows(text) to pgq_reader;
    end if;
    foreach fn in array array['pgq.logutriga()', 'pgq.sqltriga()', 'pgq.jsontriga()']
    loop
        if pg_catalog.to_regprocedure(fn) is not null then
            execute 'revoke all on function ' || fn
                || ' from public, pgq_reader, pgq_writer, pgq_admin';
            execute 'grant execute on function ' || fn || ' to pgq_writer';
        end if;
    end loop;
end $$;

grant execute on function
    pgq.seq_getval(text), pgq.get_queue_info(), pgq.get_queue_info(text),
    pgq.get_consumer_info(), pgq.get_consumer_info(text),
    pgq.get_consumer_info(text, text), pgq.quote_fqname(text), pgq.version()
    to public;

grant execute on function
    pgq.batch_event_sql(bigint), pgq.batch_event_tables(bigint),
    pgq._batch_read_sql(text),
    pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval),
    pgq.register_consumer(text, text),
    pgq.register_consumer_at(text, text, bigint),
    pgq.unregister_consumer(text, text),
    pgq.next_batch_info(text, text), pgq.next_batch(text, text),
    pgq.next_batch_custom(text, text, interval, int4, interval),
    pgq.get_batch_events(bigint), pgq.get_batch_info(bigint),
    pgq.get_batch_cursor(bigint, text, int4, text),
    pgq.get_batch_cursor(bigint, text, int4),
    pgq.event_retry(bigint, bigint, timestamptz),
    pgq.event_retry(bigint, bigint, integer),
    pgq.batch_retry(bigint, integer), pgq.force_tick(text),
    pgq.finish_batch(bigint)
    to pgq_reader;

grant execute on function
    pgq.insert_event(text, text, text),
    pgq.insert_event(text, text, text, text, text, text, text),
    pgq.current_event_table(text)
    to pgq_writer;

grant execute on function
    pgq.ticker(text, bigint, timestamptz, bigint), pgq.ticker(text),
    pgq.ticker(), pgq.ticker_busy(interval), pgq.maint_retry_events(),
    pgq.maint_rotate_tables_step1(text), pgq.maint_rotate_tables_step2(),
    pgq.maint_tables_to_vacuum(), pgq.maint_operations(),
    pgq.upgrade_schema(), pgq.grant_perms(text),
    pgq._grant_perms_from(text, text, text, text), pgq.tune_storage(text),
    pgq.seq_setval(text, int8), pgq.create_queue(text),
    pgq.drop_queue(text, boolean), pgq.drop_queue(text),
    pgq.set_queue_config(text, text, text),
    pgq.insert_event_raw(text, bigint, timestamptz, integer, integer,
                         text, text, text, text, text, text),
    pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz,
                        integer, text, text, text, text, text, text)
    to pgq_admin;
