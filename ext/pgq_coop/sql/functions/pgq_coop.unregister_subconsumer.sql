create or replace function pgq_coop.unregister_subconsumer(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_batch_handling integer)
returns integer as $$
-- ----------------------------------------------------------------------
-- Function: pgq_coop.unregister_subconsumer(4)
--
--      Remove a sub-consumer's subscription row (its consumer name stays).
--
-- Parameters:
--      i_batch_handling - what to do when it holds a batch: 1 drops the
--          batch (its events are not re-delivered to this consumer); any
--          other value refuses.
--
-- Returns:
--      1 if removed, 0 if there was no such sub-consumer.
-- ----------------------------------------------------------------------
declare
    sub record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_batch into sub
      from pgq.subscription s, pgq.consumer c, pgq.queue q
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name || '.' || i_subconsumer_name
       and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id
       for update of s;
    if not found then
        return 0;
    end if;

    if sub.sub_batch is not null and i_batch_handling is distinct from 1 then
        raise exception 'subconsumer has active batch';
    end if;

    delete from pgq.subscription
     where sub_queue = sub.sub_queue and sub_consumer = sub.sub_consumer;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
