-- ----------------------------------------------------------------------
-- grants.sql
--     Consumers (pgq_reader) call everything; version() is public.  Run
--     by the install and every update script, so it first revokes.
-- ----------------------------------------------------------------------
grant usage on schema pgq_coop to public;

revoke all on function
    pgq_coop.register_subconsumer(text, text, text),
    pgq_coop.unregister_subconsumer(text, text, text, integer),
    pgq_coop.next_batch(text, text, text),
    pgq_coop.next_batch(text, text, text, interval),
    pgq_coop.next_batch_custom(text, text, text, interval, int4, interval),
    pgq_coop.next_batch_custom(text, text, text, interval, int4, interval, interval),
    pgq_coop.finish_batch(bigint)
    from public;

grant execute on function
    pgq_coop.register_subconsumer(text, text, text),
    pgq_coop.unregister_subconsumer(text, text, text, integer),
    pgq_coop.next_batch(text, text, text),
    pgq_coop.next_batch(text, text, text, interval),
    pgq_coop.next_batch_custom(text, text, text, interval, int4, interval),
    pgq_coop.next_batch_custom(text, text, text, interval, int4, interval, interval),
    pgq_coop.finish_batch(bigint)
    to pgq_reader;

grant execute on function pgq_coop.version() to public;
