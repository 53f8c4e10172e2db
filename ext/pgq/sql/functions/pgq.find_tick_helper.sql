-- ----------------------------------------------------------------------
-- pgq.find_tick_helper(i_queue_id, i_prev_tick_id, i_prev_tick_time,
--                      i_prev_tick_seq, i_min_count, i_min_interval)
--     Choose the end tick of a batch that should hold at least
--     i_min_count events or span at least i_min_interval.  The newest
--     tick is taken when it satisfies either condition; when it
--     overshoots (more than twice the count or the interval), the oldest
--     tick that satisfies either is taken instead, so a lagging consumer
--     catches up in batches of about the asked size.
-- Returns: the chosen tick, or NULLs when no tick qualifies yet.
-- ----------------------------------------------------------------------
create or replace function pgq.find_tick_helper(
    in i_queue_id int4, in i_prev_tick_id int8,
    in i_prev_tick_time timestamptz, in i_prev_tick_seq int8,
    in i_min_count int8, in i_min_interval interval,
    out next_tick_id int8, out next_tick_time timestamptz,
    out next_tick_seq int8)
as $$
declare
    t           record;
    ok          boolean := false;
    overshoot   boolean := false;
begin
    select tick_id, tick_time, tick_event_seq into t
      from pgq.tick
     where tick_queue = i_queue_id and tick_id > i_prev_tick_id
     order by tick_queue desc, tick_id desc limit 1;
    if not found then
        return;
    end if;

    if i_min_count is not null then
        if t.tick_event_seq - i_prev_tick_seq >= i_min_count then
            ok := true;
        end if;
        if t.tick_event_seq - i_prev_tick_seq > i_min_count * 2 then
            overshoot := true;
        end if;
    end if;
    if i_min_interval is not null then
        if t.tick_time - i_prev_tick_time >= i_min_interval then
            ok := true;
        end if;
        if t.tick_time - i_prev_tick_time > i_min_interval * 2 then
            overshoot := true;
        end if;
    end if;

    if overshoot then
        select tick_id, tick_time, tick_event_seq into t
          from pgq.tick
         where tick_queue = i_queue_id and tick_id > i_prev_tick_id
           and ((i_min_count is not null
                 and tick_event_seq - i_prev_tick_seq >= i_min_count)
             or (i_min_interval is not null
                 and tick_time - i_prev_tick_time >= i_min_interval))
         order by tick_queue asc, tick_id asc limit 1;
        ok := true;
    end if;

    if ok then
        next_tick_id := t.tick_id;
        next_tick_time := t.tick_time;
        next_tick_seq := t.tick_event_seq;
    end if;
    return;
end;
$$ language plpgsql stable;
