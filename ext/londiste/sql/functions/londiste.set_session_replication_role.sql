create or replace function londiste.set_session_replication_role(val text, is_local boolean)
returns void as $$
-- ----------------------------------------------------------------------
-- Function: londiste.set_session_replication_role(2)
--
--      Set session_replication_role (origin, replica or local) for the
--      session, or with is_local for the transaction: the worker applies
--      as replica, so the subscriber's own triggers stay quiet, without
--      being a superuser.
--
-- Errors:
--      'bad value for session_replication_role' for any other value.
-- ----------------------------------------------------------------------
begin
    if val is null or val not in ('origin', 'replica', 'local') then
        raise exception 'bad value for session_replication_role';
    end if;
    perform pg_catalog.set_config('session_replication_role', val, coalesce(is_local, false));
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
