-- ----------------------------------------------------------------------
-- config_dump.sql
--     pg_dump dumps the four tables' rows: a node's identity, its map of
--     the cascade and its consumers' positions.
-- ----------------------------------------------------------------------
select pg_catalog.pg_extension_config_dump('pgq_node.node_location', '');
select pg_catalog.pg_extension_config_dump('pgq_node.node_info', '');
select pg_catalog.pg_extension_config_dump('pgq_node.local_state', '');
select pg_catalog.pg_extension_config_dump('pgq_node.subscriber_info', '');
