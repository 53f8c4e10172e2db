-- ----------------------------------------------------------------------
-- pgq._batch_read_sql(i_sql)
--     How get_batch_events() and get_batch_cursor() read a batch query
--     made by pgq.batch_event_sql(): without C, as it is.
-- Returns: i_sql.
-- ----------------------------------------------------------------------
create or replace function pgq._batch_read_sql(i_sql text)
returns text as $$
    select i_sql;
$$ language sql immutable strict;
