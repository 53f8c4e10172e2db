-- ----------------------------------------------------------------------
-- grants.sql
--     PUBLIC: the schema, version() and the node-type tests.  Readers,
--     writers and admins: the info functions and subscribing.  Writers
--     and admins: cascaded consumers' bookkeeping.  Admins: node
--     lifecycle, role changes, watermarks, locations.  Tables: read for
--     reader and writer, all DML for admin.  Run by the install and every
--     update script, so it first revokes.
-- ----------------------------------------------------------------------
grant usage on schema pgq_node to public;

revoke all on all tables in schema pgq_node
    from public, pgq_reader, pgq_writer, pgq_admin;
grant select on all tables in schema pgq_node to pgq_reader, pgq_writer;
grant select, insert, update, delete on all tables in schema pgq_node
    to pgq_admin;

-- every function, the internal helpers included, starts from nothing
revoke all on all functions in schema pgq_node
    from public, pgq_reader, pgq_writer, pgq_admin;

grant execute on function
    pgq_node.version(), pgq_node.is_root_node(text),
    pgq_node.is_leaf_node(text)
    to public;

grant execute on function
    pgq_node.get_consumer_info(text), pgq_node.get_consumer_state(text, text),
    pgq_node.get_queue_locations(text), pgq_node.get_node_info(text),
    pgq_node.get_subscriber_info(text),
    pgq_node.register_subscriber(text, text, text, int8),
    pgq_node.unregister_subscriber(text, text),
    pgq_node.set_subscriber_watermark(text, text, bigint)
    to pgq_reader, pgq_writer, pgq_admin;

grant execute on function
    pgq_node.register_consumer(text, text, text, int8),
    pgq_node.unregister_consumer(text, text),
    pgq_node.change_consumer_provider(text, text, text),
    pgq_node.set_consumer_uptodate(text, text, boolean),
    pgq_node.set_consumer_paused(text, text, boolean),
    pgq_node.set_consumer_completed(text, text, int8),
    pgq_node.set_consumer_error(text, text, text)
    to pgq_writer, pgq_admin;

grant execute on function
    pgq_node.create_node(text, text, text, text, text, bigint, text),
    pgq_node.drop_node(text, text),
    pgq_node.demote_root(text, int4, text),
    pgq_node.promote_branch(text),
    pgq_node.set_node_attrs(text, text),
    pgq_node.get_worker_state(text),
    pgq_node.set_global_watermark(text, bigint),
    pgq_node.set_partition_watermark(text, text, bigint),
    pgq_node.register_location(text, text, text, boolean),
    pgq_node.unregister_location(text, text),
    pgq_node.upgrade_schema(),
    pgq_node.maint_watermark(text)
    to pgq_admin;
