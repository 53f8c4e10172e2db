create or replace function pgq_coop.finish_batch(
    i_batch_id bigint)
returns integer as $$
-- ----------------------------------------------------------------------
-- Function: pgq_coop.finish_batch(1)
--
--      Close a sub-consumer's batch: the row goes back to idle (no ticks,
--      no batch).  Sub-consumer batches must be closed here, not with
--      pgq.finish_batch, which would leave a tick on the row and hold
--      back rotation.
--
-- Returns:
--      1 if closed; 0 with a WARNING if no row holds the batch.
-- ----------------------------------------------------------------------
begin
    update pgq.subscription
       set sub_active = now(), sub_last_tick = null, sub_next_tick = null,
           sub_batch = null
     where sub_batch = i_batch_id;
    if not found then
        raise warning 'coop_finish_batch: batch % not found', i_batch_id;
        return 0;
    end if;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
