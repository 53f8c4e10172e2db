create or replace function londiste.periodic_maintenance()
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: londiste.periodic_maintenance(0)
--
--      Forget EXECUTE files applied more than three months ago.
--
-- Returns:
--      0
-- ----------------------------------------------------------------------
begin
    delete from londiste.applied_execute
     where execute_time < pg_catalog.now() - interval '3 months';
    return 0;
end;
$$ language plpgsql;
