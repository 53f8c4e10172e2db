create or replace function pgq_ext.set_event_done(
    a_consumer text,
    a_subconsumer text,
    a_batch_id bigint,
    a_event_id bigint)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.set_event_done(4)
--
--      Record the event of the batch as applied.  The first event of a
--      new batch makes it the consumer's current partial batch and
--      forgets the previous batch's events.  NULL ids fail (not null).
--
-- Returns:
--      false if the event was already recorded (nothing changes), else
--      true.
-- ----------------------------------------------------------------------
declare
    old_batch bigint;
begin
    if pgq_ext.is_event_done(a_consumer, a_subconsumer, a_batch_id, a_event_id) then
        return false;
    end if;

    select cur_batch_id into old_batch
      from pgq_ext.partial_batch
     where consumer_id = a_consumer
       and subconsumer_id = a_subconsumer;
    if not found then
        insert into pgq_ext.partial_batch
               (consumer_id, subconsumer_id, cur_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id);
    elsif old_batch <> a_batch_id then
        delete from pgq_ext.completed_event
         where consumer_id = a_consumer
           and subconsumer_id = a_subconsumer
           and batch_id = old_batch;
        update pgq_ext.partial_batch
           set cur_batch_id = a_batch_id
         where consumer_id = a_consumer
           and subconsumer_id = a_subconsumer;
    end if;

    insert into pgq_ext.completed_event
           (consumer_id, subconsumer_id, batch_id, event_id)
    values (a_consumer, a_subconsumer, a_batch_id, a_event_id);
    return true;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

create or replace function pgq_ext.set_event_done(
    a_consumer text,
    a_batch_id bigint,
    a_event_id bigint)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.set_event_done(3)
--
--      set_event_done(4) with the subconsumer ''.
-- ----------------------------------------------------------------------
begin
    return pgq_ext.set_event_done(a_consumer, '', a_batch_id, a_event_id);
end;
$$ language plpgsql;
