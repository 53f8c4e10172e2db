-- ----------------------------------------------------------------------
-- config_dump.sql
--     pg_dump dumps the tables' rows: tracking state must survive a dump
--     and restore of the target database.
-- ----------------------------------------------------------------------
select pg_catalog.pg_extension_config_dump('pgq_ext.completed_tick', '');
select pg_catalog.pg_extension_config_dump('pgq_ext.completed_batch', '');
select pg_catalog.pg_extension_config_dump('pgq_ext.completed_event', '');
select pg_catalog.pg_extension_config_dump('pgq_ext.partial_batch', '');
