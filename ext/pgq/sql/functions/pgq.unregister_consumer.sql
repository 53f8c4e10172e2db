-- ----------------------------------------------------------------------
-- pgq.unregister_consumer(x_queue_name, x_consumer_name)
--     Remove a subscription.  A pgq_coop sub-consumer row (one sharing
--     its sub_id with others) is removed alone; a plain or main consumer
--     takes its pending retry events and every row sharing its sub_id
--     with it, and the consumer's name row goes when nothing uses it.
-- Returns: 0 if not subscribed, 1 for a sub-consumer, else the number of
--     subscription rows that shared the sub_id.
-- ----------------------------------------------------------------------
create or replace function pgq.unregister_consumer(
    x_queue_name text, x_consumer_name text)
returns integer as $$
declare
    s           record;
    n_shared    integer;
begin
    select sub.sub_id, sub.sub_queue, sub.sub_consumer,
           (sub.sub_last_tick is null) = (sub.sub_next_tick is null) as is_sub
      into s
      from pgq.subscription sub, pgq.consumer co, pgq.queue q
     where sub.sub_queue = q.queue_id and sub.sub_consumer = co.co_id
       and q.queue_name = x_queue_name and co.co_name = x_consumer_name
       for update of sub, co;
    if not found then
        return 0;
    end if;

    select count(*) into n_shared from pgq.subscription where sub_id = s.sub_id;

    if n_shared > 1 and s.is_sub then
        delete from pgq.subscription
         where sub_queue = s.sub_queue and sub_consumer = s.sub_consumer;
        return 1;
    end if;

    delete from pgq.retry_queue where ev_owner = s.sub_id;
    delete from pgq.subscription where sub_id = s.sub_id;

    perform 1 from pgq.subscription where sub_consumer = s.sub_consumer;
    if not found then
        delete from pgq.consumer where co_id = s.sub_consumer;
    end if;
    return n_shared;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
