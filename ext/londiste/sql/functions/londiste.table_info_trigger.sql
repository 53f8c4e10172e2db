create or replace function londiste.table_info_trigger()
returns trigger as $$
-- ----------------------------------------------------------------------
-- Function: londiste.table_info_trigger(0)
--
--      BEFORE DELETE on londiste.table_info: a registration that goes
--      away (remove-table, a dropped node) takes its triggers along.
-- ----------------------------------------------------------------------
begin
    perform londiste.drop_table_triggers(old.queue_name,
                                         coalesce(old.dest_table, old.table_name));
    return old;
end;
$$ language plpgsql;
