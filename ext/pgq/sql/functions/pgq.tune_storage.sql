-- ----------------------------------------------------------------------
-- pgq.tune_storage(i_queue_name)
--     Set the storage options of a queue's event tables: they are
--     insert-only and emptied by TRUNCATE, so fillfactor 100 and no
--     autovacuum, for the heap and the TOAST table.
-- Returns: 1, or 0 for an unknown queue.
-- ----------------------------------------------------------------------
create or replace function pgq.tune_storage(i_queue_name text)
returns integer as $$
declare
    q record;
begin
    select queue_data_pfx, queue_ntables into q
      from pgq.queue where queue_name = i_queue_name;
    if not found then
        return 0;
    end if;

    for i in 0 .. (q.queue_ntables - 1) loop
        execute 'alter table ' || pgq.quote_fqname(q.queue_data_pfx || '_' || i::text)
            || ' set (fillfactor = 100, autovacuum_enabled = off,'
            || ' toast.autovacuum_enabled = off)';
    end loop;
    return 1;
end;
$$ language plpgsql strict;
