-- ----------------------------------------------------------------------
-- config_dump.sql
--     Tables and sequences whose contents pg_dump must save: exactly
--     seven entries in pg_extension.extconfig.
-- ----------------------------------------------------------------------
select pg_catalog.pg_extension_config_dump('pgq.queue', '');
select pg_catalog.pg_extension_config_dump('pgq.consumer', '');
select pg_catalog.pg_extension_config_dump('pgq.tick', '');
select pg_catalog.pg_extension_config_dump('pgq.subscription', '');
select pg_catalog.pg_extension_config_dump('pgq.event_template', '');
select pg_catalog.pg_extension_config_dump('pgq.retry_queue', '');
select pg_catalog.pg_extension_config_dump('pgq.batch_id_seq', '');
