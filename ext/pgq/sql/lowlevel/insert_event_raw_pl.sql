-- ----------------------------------------------------------------------
-- pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry,
--                      ev_type, ev_data, ev_extra1..4)
--     PL/pgSQL twin of the C function of the same name, for servers that
--     cannot load C extensions.  Same checks, same messages, same order.
--     The per-transaction event count lives in a transaction-local
--     setting, so a rolled-back subtransaction gives its events back
--     (the C version does not).
-- Returns: the event id.
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event_raw(
    queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
declare
    q       record;
    id      bigint;
    cnt_key text;
    cnt     integer;
begin
    if $1 is null then
        raise exception 'Queue name must not be NULL';
    end if;

    -- Take the xid before reading the queue row: see src/pgq_lowlevel.c.
    perform pg_catalog.txid_current();

    select qq.queue_id, qq.queue_data_pfx, qq.queue_cur_table,
           pg_catalog.nextval(pgq.quote_fqname(qq.queue_event_seq)::regclass) as seq_id,
           qq.queue_disable_insert, qq.queue_per_tx_limit
      into q from pgq.queue qq where qq.queue_name = $1;
    if not found then
        raise exception 'No such queue';
    end if;

    if q.queue_disable_insert
       and pg_catalog.current_setting('session_replication_role') <> 'replica'
    then
        raise exception 'Insert into queue disallowed';
    end if;

    if q.queue_per_tx_limit is not null then
        cnt_key := 'pgq.tx_events_' || q.queue_id::text;
        cnt := coalesce(nullif(pg_catalog.current_setting(cnt_key, true), ''),
                        '0')::integer + 1;
        perform pg_catalog.set_config(cnt_key, cnt::text, true);
        if cnt > q.queue_per_tx_limit then
            raise exception 'Queue ''%'' allows max % events from one TX',
                $1, q.queue_per_tx_limit;
        end if;
    end if;

    id := coalesce($2, q.seq_id);
    execute 'insert into '
        || pgq.quote_fqname(q.queue_data_pfx || '_' || q.queue_cur_table::text)
        || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
        || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        || ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'
        using id, coalesce($3, pg_catalog.now()), $4, $5, $6, $7, $8, $9, $10, $11;
    return id;
end;
$$ language plpgsql;
