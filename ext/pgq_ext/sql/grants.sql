-- ----------------------------------------------------------------------
-- grants.sql
--     Everyone may see the schema and call version(); pgq_writer (the
--     target-side consumer's role) calls the rest.  The tables have no
--     grants: rows change only through the SECURITY DEFINER long forms.
--     Run by the install and every update script, so it first revokes.
-- ----------------------------------------------------------------------
grant usage on schema pgq_ext to public;

revoke all on all functions in schema pgq_ext from public, pgq_writer cascade;
grant execute on all functions in schema pgq_ext to pgq_writer;
grant execute on function pgq_ext.version() to public;
