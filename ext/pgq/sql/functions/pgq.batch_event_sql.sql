-- ----------------------------------------------------------------------
-- pgq.batch_event_sql(x_batch_id)
--     Build the query that reads a batch's events.
--
--     A batch (L, C) holds the events whose transaction is visible in the
--     snapshot of end tick C and not in that of start tick L.  Every such
--     transaction either has a txid between xmax(L) and xmax(C), found by
--     a range scan of the ev_txid index, or was still running at L and
--     finished before C: a txid in xip(L) - xip(C).  Those long
--     transactions are walked from the newest down: one within 100 of the
--     range's lower end just lowers that end (many short transactions sit
--     just below xmax, and a slightly wider range is cheaper than a long
--     IN-list); the others are read with an explicit IN-list.  The
--     snapshots' tests are written out as constants: in the range, a txid
--     is in the batch unless it is in xip(C), and below xmax(L) only if it
--     is in xip(L) (the lowered part); no per-row call, no join with
--     pgq.tick.  Retried events carry ev_owner and are shown only to the
--     subscription that retried them.
--
--     The text ends in ' order by 1' and holds it nowhere else:
--     get_batch_cursor() cuts it off to wrap the query.
-- Returns: the SQL text.
-- Errors: 'batch not found'; 'could not construct sql for batch <id>'.
-- ----------------------------------------------------------------------
create or replace function pgq.batch_event_sql(x_batch_id bigint)
returns text as $$
declare
    b           record;
    tx_start    int8;
    long_list   text := '';
    xid         int8;
    cols        text;
    owner_cond  text;
    cur_running text;
    last_running text;
    tbl         text;
    part        text;
    sql         text := '';
begin
    select s.sub_id, s.sub_queue, s.sub_last_tick, s.sub_next_tick,
           pg_catalog.txid_snapshot_xmax(last.tick_snapshot) as tx_start,
           pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as tx_end,
           last.tick_snapshot as last_snap, cur.tick_snapshot as cur_snap
      into b
      from pgq.subscription s, pgq.tick last, pgq.tick cur
     where s.sub_batch = x_batch_id
       and last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick
       and cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick;
    if not found then
        raise exception 'batch not found';
    end if;

    tx_start := b.tx_start;
    for xid in
        select x from pg_catalog.txid_snapshot_xip(b.last_snap) x
        except
        select x from pg_catalog.txid_snapshot_xip(b.cur_snap) x
        order by 1 desc
    loop
        if xid >= tx_start - 100 then
            tx_start := xid;
        else
            if long_list <> '' then
                long_list := long_list || ',';
            end if;
            long_list := long_list || xid::text;
        end if;
    end loop;

    -- the range's txids still running at C are not in the batch
    select coalesce(' and ev.ev_txid not in ('
                    || string_agg(x::text, ',' order by x) || ')', '')
      into cur_running
      from pg_catalog.txid_snapshot_xip(b.cur_snap) x
     where x >= tx_start and x < b.tx_end;
    -- below xmax(L), only those still running at L are
    if tx_start < b.tx_start then
        select ' and (ev.ev_txid >= ' || b.tx_start::text
               || ' or ev.ev_txid = any (''{' || string_agg(x::text, ',' order by x)
               || '}''::pg_catalog.int8[]))'
          into last_running
          from pg_catalog.txid_snapshot_xip(b.last_snap) x
         where x >= tx_start and x < b.tx_start;
    end if;

    cols := 'select ev.ev_id, ev.ev_time, ev.ev_txid, ev.ev_retry, ev.ev_type,'
        || ' ev.ev_data, ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4';
    owner_cond := ' and (ev.ev_owner is null or ev.ev_owner = '
        || b.sub_id::text || ')';

    for tbl in select t from pgq.batch_event_tables(x_batch_id) t loop
        part := cols || ' from ' || pgq.quote_fqname(tbl) || ' ev'
            || ' where ev.ev_txid >= ' || tx_start::text
            || ' and ev.ev_txid < ' || b.tx_end::text
            || cur_running || coalesce(last_running, '')
            || owner_cond;
        if long_list <> '' then
            part := part || ' union all ' || cols
                || ' from ' || pgq.quote_fqname(tbl) || ' ev'
                || ' where ev.ev_txid in (' || long_list || ')'
                || owner_cond;
        end if;
        if sql <> '' then
            sql := sql || ' union all ';
        end if;
        sql := sql || part;
    end loop;

    if sql = '' then
        raise exception 'could not construct sql for batch %', x_batch_id;
    end if;
    return sql || ' order by 1';
end;
$$ language plpgsql;
