-- ----------------------------------------------------------------------
-- config_dump.sql
--     pg_dump dumps the four tables' rows: they are this node's state.
-- ----------------------------------------------------------------------
select pg_catalog.pg_extension_config_dump('londiste.table_info', '');
select pg_catalog.pg_extension_config_dump('londiste.seq_info', '');
select pg_catalog.pg_extension_config_dump('londiste.applied_execute', '');
select pg_catalog.pg_extension_config_dump('londiste.pending_fkeys', '');
