-- ----------------------------------------------------------------------
-- grants.sql
--     PUBLIC: the schema, the tables (read), the name and lookup helpers
--     and version().  londiste_reader: the tables, the table and sequence
--     lists.  londiste_writer (a pgq_admin): every function that changes
--     the registry, the triggers or the foreign keys; pgq_admin also the
--     maintenance calls (as pgqd runs them).  The tables are written
--     through pgq_admin.  Run by the install and every update script, so
--     it first revokes.
-- ----------------------------------------------------------------------
grant usage on schema londiste to public;

revoke all on all tables in schema londiste
    from public, londiste_reader, londiste_writer, pgq_admin;
grant select on all tables in schema londiste to public, londiste_reader;
grant select, insert, update, delete on all tables in schema londiste to pgq_admin;
revoke all on all sequences in schema londiste
    from public, londiste_reader, londiste_writer, pgq_admin;
grant usage on all sequences in schema londiste to londiste_writer;

revoke all on all functions in schema londiste
    from public, londiste_reader, londiste_writer, pgq_admin;

grant execute on function
    londiste.find_column_types(text), londiste.find_rel_oid(text, text),
    londiste.find_seq_oid(text), londiste.find_table_fkeys(text),
    londiste.find_table_oid(text), londiste.is_replica_func(oid),
    londiste.make_fqname(text), londiste.quote_fqname(text),
    londiste.split_fqname(text), londiste.version(),
    londiste.local_change_handler(text, text, text[], text)
    to public;

grant execute on function
    londiste._coordinate_copy(text, text), londiste.get_seq_list(text),
    londiste.get_table_list(text)
    to londiste_reader, londiste_writer;

grant execute on function
    londiste.periodic_maintenance(), londiste.root_check_seqs(text),
    londiste.root_check_seqs(text, int8)
    to londiste_writer, pgq_admin;

grant execute on function
    londiste._trigger_args(bytea),
    londiste.create_partition(text, text, text, text, timestamptz, text),
    londiste.create_trigger(text, text, text[], text, text),
    londiste.drop_obsolete_partitions(text, interval, text),
    londiste.drop_table_fkey(text, text),
    londiste.drop_table_triggers(text, text),
    londiste.execute_finish(text, text),
    londiste.execute_start(text, text, text, boolean),
    londiste.execute_start(text, text, text, boolean, text),
    londiste.get_table_pending_fkeys(text),
    londiste.get_valid_pending_fkeys(text),
    londiste.global_add_table(text, text),
    londiste.global_remove_seq(text, text),
    londiste.global_remove_table(text, text),
    londiste.global_update_seq(text, text, int8),
    londiste.is_obsolete_partition(text, interval, text),
    londiste.list_obsolete_partitions(text, interval, text),
    londiste.local_add_seq(text, text),
    londiste.local_add_table(text, text),
    londiste.local_add_table(text, text, text[]),
    londiste.local_add_table(text, text, text[], text),
    londiste.local_add_table(text, text, text[], text, text),
    londiste.local_remove_seq(text, text),
    londiste.local_remove_table(text, text),
    londiste.local_set_table_attrs(text, text, text),
    londiste.local_set_table_state(text, text, text, text),
    londiste.local_set_table_struct(text, text, text),
    londiste.local_show_missing(text),
    londiste.restore_table_fkey(text, text, boolean),
    londiste.root_notify_change(text, text, text),
    londiste.set_session_replication_role(text, boolean),
    londiste.table_info_trigger(),
    londiste.upgrade_schema()
    to londiste_writer;
