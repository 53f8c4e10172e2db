-- ----------------------------------------------------------------------
-- pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit,
--                      i_extra_where)
--     Declare a cursor (valid until the end of the transaction) over a
--     batch's events and return its first i_quick_limit rows; the caller
--     FETCHes the rest.  i_extra_where, raw SQL from the caller, filters
--     the events.  A NULL batch, name or limit returns nothing.  Without
--     i_extra_where the batch is read through pgq._batch_read_sql() (in
--     the C build: pgq._batch_rows(), which mostly spares the sort).
-- Errors: those of batch_event_sql; a name already in use.
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint, in i_cursor_name text, in i_quick_limit int4,
    in i_extra_where text,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint,
    out ev_retry int4, out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text,
    out ev_extra4 text)
returns setof record as $$
declare
    sql     text;
    cur     refcursor;
begin
    if i_batch_id is null or i_cursor_name is null or i_quick_limit is null then
        return;
    end if;

    sql := pgq.batch_event_sql(i_batch_id);
    if i_extra_where is not null then
        sql := pg_catalog.replace(sql, ' order by 1', '');
        sql := 'select * from (' || sql || ') _evs where ' || i_extra_where
            || ' order by 1';
    else
        sql := pgq._batch_read_sql(sql);
    end if;

    execute 'declare ' || pg_catalog.quote_ident(i_cursor_name)
        || ' no scroll cursor for ' || sql;

    if i_quick_limit <= 0 then
        return;
    end if;

    cur := i_cursor_name;
    for i in 1 .. i_quick_limit loop
        fetch cur into ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,
                       ev_extra1, ev_extra2, ev_extra3, ev_extra4;
        exit when not found;
        return next;
    end loop;
    return;
end;
$$ language plpgsql;

-- ----------------------------------------------------------------------
-- pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit)
--     The same with no extra condition.
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint, in i_cursor_name text, in i_quick_limit int4,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint,
    out ev_retry int4, out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text,
    out ev_extra4 text)
returns setof record as $$
begin
    return query
        select * from pgq.get_batch_cursor(i_batch_id, i_cursor_name,
                                           i_quick_limit, null);
end;
$$ language plpgsql strict;
