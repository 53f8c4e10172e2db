create or replace function pgq_coop.next_batch_custom(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_min_lag interval,
    i_min_count int4,
    i_min_interval interval,
    i_dead_interval interval)
returns bigint as $$
-- ----------------------------------------------------------------------
-- Function: pgq_coop.next_batch_custom(7)
--
--      Give the sub-consumer a batch of the main consumer's stream.  The
--      main consumer's row is locked, so sub-consumers of one consumer
--      take batches one after another; the sub-consumer (and the main
--      consumer) are registered on first use.  In order:
--        - the batch the sub-consumer already holds (a repeated call
--          after a crash or reconnect gets the same batch);
--        - with i_dead_interval, the batch of a peer not seen for that
--          long: the peer's row is removed and its batch moves here;
--        - else the main consumer's next batch (pgq.next_batch_custom
--          with the lag, count and interval limits), which is moved at
--          once from the main row to the sub-consumer's row, advancing
--          the shared position.
--
-- Returns:
--      The batch id, or NULL when there is no batch yet.
-- ----------------------------------------------------------------------
declare
    sub_name text;
    main_row record;
    sub_row record;
    dead_row record;
    b record;
    have_sub boolean := false;
begin
    sub_name := i_consumer_name || '.' || i_subconsumer_name;

    -- the main row's lock makes the sub-consumers take turns; what is
    -- missing (first use, or a peer removed this one as dead) is
    -- registered and read again once
    for attempt in 1 .. 2 loop
        select s.sub_queue, s.sub_consumer, s.sub_id, s.sub_next_tick
          into main_row
          from pgq.subscription s, pgq.consumer c, pgq.queue q
         where q.queue_name = i_queue_name and c.co_name = i_consumer_name
           and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id
           for update of s;
        if found then
            select s.sub_queue, s.sub_consumer, s.sub_batch into sub_row
              from pgq.subscription s, pgq.consumer c
             where s.sub_queue = main_row.sub_queue and c.co_name = sub_name
               and s.sub_consumer = c.co_id;
            have_sub := found;
            exit when have_sub;
        end if;
        exit when attempt = 2;
        perform pgq_coop.register_subconsumer(i_queue_name, i_consumer_name,
                                              i_subconsumer_name);
    end loop;
    if not have_sub then
        raise exception 'subconsumer not found';
    end if;
    if main_row.sub_next_tick is not null then
        raise exception 'main consumer has batch open?';
    end if;

    -- already holding one: hand it out again
    if sub_row.sub_batch is not null then
        update pgq.subscription set sub_active = now()
         where sub_queue = sub_row.sub_queue
           and sub_consumer = sub_row.sub_consumer;
        return sub_row.sub_batch;
    end if;

    -- take over from a peer not seen for i_dead_interval
    if i_dead_interval is not null then
        select s.sub_consumer, s.sub_batch, s.sub_last_tick, s.sub_next_tick
          into dead_row
          from pgq.subscription s
         where s.sub_queue = main_row.sub_queue
           and s.sub_id = main_row.sub_id
           and s.sub_consumer <> main_row.sub_consumer
           and s.sub_consumer <> sub_row.sub_consumer
           and s.sub_active < now() - i_dead_interval
         order by s.sub_batch is null, s.sub_active
         limit 1
           for update of s;
        if found then
            delete from pgq.subscription
             where sub_queue = main_row.sub_queue
               and sub_consumer = dead_row.sub_consumer;
            if dead_row.sub_batch is not null then
                update pgq.subscription
                   set sub_batch = dead_row.sub_batch,
                       sub_last_tick = dead_row.sub_last_tick,
                       sub_next_tick = dead_row.sub_next_tick,
                       sub_active = now()
                 where sub_queue = sub_row.sub_queue
                   and sub_consumer = sub_row.sub_consumer;
                return dead_row.sub_batch;
            end if;
        end if;
    end if;

    -- the main consumer's next batch, moved to the sub-consumer
    select * into b
      from pgq.next_batch_custom(i_queue_name, i_consumer_name,
                                 i_min_lag, i_min_count, i_min_interval);
    if b.batch_id is null then
        return null;
    end if;

    -- closed on the main row first: sub_batch is unique
    update pgq.subscription
       set sub_batch = null, sub_last_tick = sub_next_tick,
           sub_next_tick = null, sub_active = now()
     where sub_queue = main_row.sub_queue
       and sub_consumer = main_row.sub_consumer;

    update pgq.subscription
       set sub_batch = b.batch_id, sub_last_tick = b.prev_tick_id,
           sub_next_tick = b.cur_tick_id, sub_active = now()
     where sub_queue = sub_row.sub_queue
       and sub_consumer = sub_row.sub_consumer;
    return b.batch_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

create or replace function pgq_coop.next_batch_custom(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_min_lag interval,
    i_min_count int4,
    i_min_interval interval)
returns bigint as $$
-- ----------------------------------------------------------------------
-- Function: pgq_coop.next_batch_custom(6)
--
--      next_batch_custom(7) without dead-peer takeover.
-- ----------------------------------------------------------------------
begin
    return pgq_coop.next_batch_custom(i_queue_name, i_consumer_name,
        i_subconsumer_name, i_min_lag, i_min_count, i_min_interval, null);
end;
$$ language plpgsql;
