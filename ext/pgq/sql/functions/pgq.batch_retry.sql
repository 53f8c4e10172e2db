-- ----------------------------------------------------------------------
-- pgq.batch_retry(i_batch_id, i_retry_seconds)
--     Put every event of an open batch that is not already waiting into
--     the retry queue, due i_retry_seconds from now.
-- Returns: the number of events put there.
-- Errors: 'batch_retry: batch <id> not found'.
-- ----------------------------------------------------------------------
create or replace function pgq.batch_retry(
    i_batch_id bigint, i_retry_seconds integer)
returns integer as $$
declare
    s       record;
    n       integer;
begin
    select sub_id, sub_queue into s
      from pgq.subscription where sub_batch = i_batch_id;
    if not found then
        raise exception 'batch_retry: batch % not found', i_batch_id;
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time,
                                 ev_txid, ev_owner, ev_retry, ev_type, ev_data,
                                 ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select distinct
           current_timestamp + make_interval(secs => i_retry_seconds),
           s.sub_queue, b.ev_id, b.ev_time, null::int8, s.sub_id,
           coalesce(b.ev_retry, 0) + 1, b.ev_type, b.ev_data,
           b.ev_extra1, b.ev_extra2, b.ev_extra3, b.ev_extra4
      from pgq.get_batch_events(i_batch_id) b
      left join pgq.retry_queue rq
        on (rq.ev_owner = s.sub_id and rq.ev_id = b.ev_id
            and rq.ev_queue = s.sub_queue)
     where rq.ev_id is null;
    get diagnostics n = row_count;
    return n;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
