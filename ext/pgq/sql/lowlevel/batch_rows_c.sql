-- ----------------------------------------------------------------------
-- pgq._batch_rows(i_sql)
--     The rows of a batch query made by pgq.batch_event_sql(), in its
--     order (ev_id), in C (module pgq_batch, src/pgq_batch.c): the query
--     runs without its sort, and again with it only when the rows did not
--     come in ev_id order already.
-- Returns: the batch's events.
-- Errors: 'batch query must end in ' order by 1''; those of the query.
-- ----------------------------------------------------------------------
create or replace function pgq._batch_rows(
    in i_sql text,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint,
    out ev_retry int4, out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text,
    out ev_extra4 text)
returns setof record
as '$libdir/pgq_batch', 'pgq_batch_rows'
language c strict;

-- ----------------------------------------------------------------------
-- pgq._batch_read_sql(i_sql)
--     How get_batch_events() and get_batch_cursor() read a batch query:
--     through pgq._batch_rows().
-- Returns: a query with the batch query's rows, in its order.
-- ----------------------------------------------------------------------
create or replace function pgq._batch_read_sql(i_sql text)
returns text as $$
    select 'select * from pgq._batch_rows('
        || pg_catalog.quote_literal(i_sql) || ')';
$$ language sql immutable strict;
