create or replace function pgq_ext.is_batch_done(
    a_consumer text,
    a_subconsumer text,
    a_batch_id bigint)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.is_batch_done(3)
--
--      Whether the batch is the last one recorded as applied for the
--      (consumer, subconsumer).  Only the one latest batch is kept, so an
--      older batch id answers false.
--
-- Returns:
--      false when nothing is recorded; NULL when a_batch_id is NULL and
--      something is recorded (as upstream).
-- ----------------------------------------------------------------------
declare
    res boolean;
begin
    select last_batch_id = a_batch_id into res
      from pgq_ext.completed_batch
     where consumer_id = a_consumer
       and subconsumer_id = a_subconsumer;
    if not found then
        return false;
    end if;
    return res;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

create or replace function pgq_ext.is_batch_done(
    a_consumer text,
    a_batch_id bigint)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.is_batch_done(2)
--
--      is_batch_done(3) with the subconsumer ''.
-- ----------------------------------------------------------------------
begin
    return pgq_ext.is_batch_done(a_consumer, '', a_batch_id);
end;
$$ language plpgsql;
