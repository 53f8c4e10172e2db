-- ----------------------------------------------------------------------
-- pgq.get_queue_info()
--     get_queue_info(NULL): every queue.
-- ----------------------------------------------------------------------
create or replace function pgq.get_queue_info(
    out queue_name text, out queue_ntables integer,
    out queue_cur_table integer, out queue_rotation_period interval,
    out queue_switch_time timestamptz, out queue_external_ticker boolean,
    out queue_ticker_paused boolean, out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval, out queue_ticker_idle_period interval,
    out ticker_lag interval, out ev_per_sec float8, out ev_new bigint,
    out last_tick_id bigint)
returns setof record as $$
begin
    return query select * from pgq.get_queue_info(null);
end;
$$ language plpgsql;

-- ----------------------------------------------------------------------
-- pgq.get_queue_info(i_queue_name)
--     Configuration and activity of one queue (NULL: all), by name:
--     ticker_lag is the age of the latest tick, ev_new the events since
--     it, ev_per_sec the rate over up to the last 20 ticks.
-- Returns: one row per queue; none for an unknown name.
-- ----------------------------------------------------------------------
create or replace function pgq.get_queue_info(
    in i_queue_name text,
    out queue_name text, out queue_ntables integer,
    out queue_cur_table integer, out queue_rotation_period interval,
    out queue_switch_time timestamptz, out queue_external_ticker boolean,
    out queue_ticker_paused boolean, out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval, out queue_ticker_idle_period interval,
    out ticker_lag interval, out ev_per_sec float8, out ev_new bigint,
    out last_tick_id bigint)
returns setof record as $$
declare
    q       record;
    t       record;
    h       record;
begin
    for q in
        select * from pgq.queue qq
         where i_queue_name is null or qq.queue_name = i_queue_name
         order by qq.queue_name
    loop
        queue_name := q.queue_name;
        queue_ntables := q.queue_ntables;
        queue_cur_table := q.queue_cur_table;
        queue_rotation_period := q.queue_rotation_period;
        queue_switch_time := q.queue_switch_time;
        queue_external_ticker := q.queue_external_ticker;
        queue_ticker_paused := q.queue_ticker_paused;
        queue_ticker_max_count := q.queue_ticker_max_count;
        queue_ticker_max_lag := q.queue_ticker_max_lag;
        queue_ticker_idle_period := q.queue_ticker_idle_period;

        select tk.tick_id, tk.tick_time, tk.tick_event_seq into t
          from pgq.tick tk where tk.tick_queue = q.queue_id
         order by tk.tick_queue desc, tk.tick_id desc limit 1;
        select tk.tick_time, tk.tick_event_seq into h
          from pgq.tick tk
         where tk.tick_queue = q.queue_id and tk.tick_id >= t.tick_id - 20
         order by tk.tick_queue asc, tk.tick_id asc limit 1;

        ticker_lag := current_timestamp - t.tick_time;
        last_tick_id := t.tick_id;
        ev_new := pgq.seq_getval(q.queue_event_seq) - t.tick_event_seq;
        if h.tick_time < t.tick_time then
            ev_per_sec := (t.tick_event_seq - h.tick_event_seq)
                / extract(epoch from t.tick_time - h.tick_time)::float8;
        else
            ev_per_sec := null;
        end if;
        return next;
    end loop;
    return;
end;
$$ language plpgsql;
