-- ----------------------------------------------------------------------
-- triggers.sql
--     A registration that disappears takes its table's triggers along.
-- ----------------------------------------------------------------------
create trigger table_info_trigger_sync before delete on londiste.table_info
    for each row execute procedure londiste.table_info_trigger();
