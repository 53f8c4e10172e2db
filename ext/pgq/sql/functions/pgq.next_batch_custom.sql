-- ----------------------------------------------------------------------
-- pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag,
--                       i_min_count, i_min_interval)
--     Open the consumer's next batch, or return the one already open.
--     Without min_count and min_interval the batch ends at the next tick;
--     with them, at a later tick chosen by pgq.find_tick_helper.  With
--     i_min_lag the end tick must be at least that old.
-- Returns: one row; all columns NULL when no batch is ready.
-- Errors: 'Not subscriber to queue: <q>/<c>'; 'PgQ corruption: Consumer
--     <c> on queue <q> does not see tick <id>'.
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch_custom(
    in i_queue_name text, in i_consumer_name text,
    in i_min_lag interval, in i_min_count int4, in i_min_interval interval,
    out batch_id int8,
    out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as $$
declare
    s           record;
    nxt         record;
begin
    select sub.sub_queue, sub.sub_consumer, sub.sub_last_tick, sub.sub_batch,
           prev.tick_id as prev_id, prev.tick_time as prev_time,
           prev.tick_event_seq as prev_seq,
           cur.tick_id as cur_id, cur.tick_time as cur_time,
           cur.tick_event_seq as cur_seq
      into s
      from pgq.queue q
      join pgq.subscription sub on (sub.sub_queue = q.queue_id)
      join pgq.consumer co on (co.co_id = sub.sub_consumer)
      left join pgq.tick prev
        on (prev.tick_queue = sub.sub_queue and prev.tick_id = sub.sub_last_tick)
      left join pgq.tick cur
        on (cur.tick_queue = sub.sub_queue and cur.tick_id = sub.sub_next_tick)
     where q.queue_name = i_queue_name and co.co_name = i_consumer_name;
    if not found then
        raise exception 'Not subscriber to queue: %/%',
            coalesce(i_queue_name, 'NULL'), coalesce(i_consumer_name, 'NULL');
    end if;

    if s.prev_id is null then
        raise exception 'PgQ corruption: Consumer % on queue % does not see tick %',
            i_consumer_name, i_queue_name, s.prev_id;
    end if;

    prev_tick_id := s.prev_id;
    prev_tick_time := s.prev_time;
    prev_tick_event_seq := s.prev_seq;

    if s.sub_batch is not null then
        batch_id := s.sub_batch;
        cur_tick_id := s.cur_id;
        cur_tick_time := s.cur_time;
        cur_tick_event_seq := s.cur_seq;
        return;
    end if;

    if i_min_count is null and i_min_interval is null then
        select tick_id as next_tick_id, tick_time as next_tick_time,
               tick_event_seq as next_tick_seq
          into nxt from pgq.tick
         where tick_queue = s.sub_queue and tick_id > s.prev_id
         order by tick_queue asc, tick_id asc limit 1;
    else
        select * into nxt
          from pgq.find_tick_helper(s.sub_queue, s.prev_id, s.prev_time,
                                    s.prev_seq, i_min_count, i_min_interval);
    end if;

    if nxt.next_tick_id is not null and i_min_lag is not null
       and now() - nxt.next_tick_time < i_min_lag
    then
        nxt.next_tick_id := null;
    end if;

    if nxt.next_tick_id is null then
        prev_tick_id := null;
        prev_tick_time := null;
        prev_tick_event_seq := null;
        return;
    end if;

    batch_id := nextval('pgq.batch_id_seq');
    cur_tick_id := nxt.next_tick_id;
    cur_tick_time := nxt.next_tick_time;
    cur_tick_event_seq := nxt.next_tick_seq;

    update pgq.subscription
       set sub_batch = batch_id, sub_next_tick = cur_tick_id, sub_active = now()
     where sub_queue = s.sub_queue and sub_consumer = s.sub_consumer;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
