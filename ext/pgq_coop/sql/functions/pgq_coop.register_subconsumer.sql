create or replace function pgq_coop.register_subconsumer(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text)
returns integer as $$
-- ----------------------------------------------------------------------
-- Function: pgq_coop.register_subconsumer(3)
--
--      Register the main consumer (if it is not yet) and the sub-consumer
--      '<consumer>.<subconsumer>'.  A new sub-consumer row takes the main
--      consumer's sub_id and starts idle (no ticks), so it holds back no
--      rotation until it takes a batch.
--
-- Returns:
--      1 if the sub-consumer is new, 0 if it was registered already.
-- ----------------------------------------------------------------------
declare
    sub_name text;
    main_sub_id int4;
    sub_queue_id int4;
    sub_co_id int4;
begin
    sub_name := i_consumer_name || '.' || i_subconsumer_name;

    perform pgq.register_consumer(i_queue_name, i_consumer_name);
    if pgq.register_consumer(i_queue_name, sub_name) = 0 then
        return 0;
    end if;

    select s.sub_id into main_sub_id
      from pgq.subscription s, pgq.consumer c, pgq.queue q
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name
       and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id;
    if not found then
        raise exception 'main consumer not found';
    end if;

    select s.sub_queue, s.sub_consumer into sub_queue_id, sub_co_id
      from pgq.subscription s, pgq.consumer c, pgq.queue q
     where q.queue_name = i_queue_name and c.co_name = sub_name
       and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id;

    update pgq.subscription
       set sub_id = main_sub_id, sub_last_tick = null, sub_next_tick = null
     where sub_queue = sub_queue_id and sub_consumer = sub_co_id;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
