-- ----------------------------------------------------------------------
-- grants.sql
--     Consumers (pgq_reader) call everything; version() is public.  Run
--     by the install and every update script, so it first revokes.
-- ----------------------------------------------------------------------
grant usage on schema pgq_coop to public;

revoke all on all functions in schema pgq_coop from public, pgq_reader;
grant execute on all functions in schema pgq_coop to pgq_reader;
grant execute on function pgq_coop.version() to public;
