-- ----------------------------------------------------------------------
-- pgq.register_consumer_at(x_queue_name, x_consumer_name, x_tick_pos)
--     Subscribe a consumer at a given tick (NULL: the latest tick), or
--     reposition an existing subscription to x_tick_pos, dropping its
--     open batch.  The consumer sees only events after that tick.
-- Returns: 1 if newly subscribed, 0 if it already was.
-- Errors: 'Event queue not created yet'; 'cannot reposition, tick not
--     found: <pos>'; 'No ticks for this queue.  Please run ticker on
--     database.'
-- ----------------------------------------------------------------------
create or replace function pgq.register_consumer_at(
    x_queue_name text, x_consumer_name text, x_tick_pos bigint)
returns integer as $$
declare
    v_queue_id      integer;
    v_consumer_id   integer;
    v_last_tick     bigint;
begin
    select queue_id into v_queue_id
      from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not created yet';
    end if;

    -- concurrent first registrations of one name wait for each other
    -- here instead of failing on consumer_name_uq
    insert into pgq.consumer (co_name) values (x_consumer_name)
        on conflict (co_name) do nothing
        returning co_id into v_consumer_id;
    if not found then
        select co_id into v_consumer_id
          from pgq.consumer where co_name = x_consumer_name for update;
    end if;

    if x_tick_pos is not null then
        perform 1 from pgq.tick
         where tick_queue = v_queue_id and tick_id = x_tick_pos;
        if not found then
            raise exception 'cannot reposition, tick not found: %', x_tick_pos;
        end if;
    end if;

    perform 1 from pgq.subscription
     where sub_queue = v_queue_id and sub_consumer = v_consumer_id;
    if found then
        if x_tick_pos is not null then
            update pgq.subscription
               set sub_last_tick = x_tick_pos, sub_batch = null,
                   sub_next_tick = null, sub_active = now()
             where sub_queue = v_queue_id and sub_consumer = v_consumer_id;
        end if;
        return 0;
    end if;

    if x_tick_pos is null then
        select tick_id into v_last_tick from pgq.tick
         where tick_queue = v_queue_id
         order by tick_queue desc, tick_id desc limit 1;
        if not found then
            raise exception 'No ticks for this queue.  Please run ticker on database.';
        end if;
    else
        v_last_tick := x_tick_pos;
    end if;

    insert into pgq.subscription (sub_queue, sub_consumer, sub_last_tick)
        values (v_queue_id, v_consumer_id, v_last_tick)
        on conflict (sub_queue, sub_consumer) do nothing;
    if not found then
        return 0;   -- registered concurrently, by another session
    end if;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
