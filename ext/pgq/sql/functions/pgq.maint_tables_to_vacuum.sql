-- ----------------------------------------------------------------------
-- pgq.maint_tables_to_vacuum()
--     The frequently updated bookkeeping tables of pgq and its add-ons
--     that exist here, for the maintenance daemon to vacuum when
--     autovacuum is off.
-- Returns: 'schema.table' names, unquoted; none when autovacuum is on.
-- ----------------------------------------------------------------------
create or replace function pgq.maint_tables_to_vacuum()
returns setof text as $$
declare
    tbl     text;
begin
    if pg_catalog.current_setting('autovacuum') = 'on' then
        return;
    end if;

    foreach tbl in array array[
        'pgq.subscription', 'pgq.consumer', 'pgq.queue', 'pgq.tick',
        'pgq.retry_queue', 'pgq_ext.completed_tick', 'pgq_ext.completed_batch',
        'pgq_ext.completed_event', 'pgq_ext.partial_batch',
        'pgq_node.local_state', 'londiste.seq_info', 'txid.epoch',
        'londiste.completed']
    loop
        perform 1 from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on (n.oid = c.relnamespace)
         where n.nspname = pg_catalog.split_part(tbl, '.', 1)
           and c.relname = pg_catalog.split_part(tbl, '.', 2);
        if found then
            return next tbl;
        end if;
    end loop;
    return;
end;
$$ language plpgsql;
