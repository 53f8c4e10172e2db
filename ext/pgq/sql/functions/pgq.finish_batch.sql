-- ----------------------------------------------------------------------
-- pgq.finish_batch(x_batch_id)
--     Close a batch: the subscription moves to the batch's end tick.
--     Commit this in the same transaction as the batch's effects for
--     exactly-once processing.
-- Returns: 1, or 0 with a WARNING 'finish_batch: batch <id> not found'.
-- ----------------------------------------------------------------------
create or replace function pgq.finish_batch(x_batch_id bigint)
returns integer as $$
begin
    update pgq.subscription
       set sub_active = now(), sub_last_tick = sub_next_tick,
           sub_next_tick = null, sub_batch = null
     where sub_batch = x_batch_id;
    if not found then
        raise warning 'finish_batch: batch % not found', x_batch_id;
        return 0;
    end if;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
