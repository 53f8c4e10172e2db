create or replace function pgq_ext.set_batch_done(
    a_consumer text,
    a_subconsumer text,
    a_batch_id bigint)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.set_batch_done(3)
--
--      Record the batch as the last one applied for the (consumer,
--      subconsumer), in the caller's transaction: commit it together
--      with what the batch changed.  Ids of 0 or below (and NULL) are
--      accepted and not stored, as upstream does.  The upsert cannot
--      fail on a concurrent first use.
--
-- Returns:
--      false if the batch was already recorded (nothing changes), else
--      true.
-- ----------------------------------------------------------------------
begin
    if pgq_ext.is_batch_done(a_consumer, a_subconsumer, a_batch_id) then
        return false;
    end if;
    if a_batch_id > 0 then
        insert into pgq_ext.completed_batch
               (consumer_id, subconsumer_id, last_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id)
        on conflict (consumer_id, subconsumer_id)
        do update set last_batch_id = excluded.last_batch_id;
    end if;
    return true;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

create or replace function pgq_ext.set_batch_done(
    a_consumer text,
    a_batch_id bigint)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.set_batch_done(2)
--
--      set_batch_done(3) with the subconsumer ''.
-- ----------------------------------------------------------------------
begin
    return pgq_ext.set_batch_done(a_consumer, '', a_batch_id);
end;
$$ language plpgsql;
