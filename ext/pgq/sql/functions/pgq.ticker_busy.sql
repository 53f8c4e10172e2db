-- ----------------------------------------------------------------------
-- pgq.ticker_busy(i_min_lag)
--     Not in upstream.  Tick every queue that has events since its last
--     tick when that tick is at least i_min_lag old, whatever
--     ticker_max_count and ticker_max_lag say (those are upper bounds on
--     a batch; this ticks sooner).  Queues with no new events are left
--     alone: an idle queue gets no more ticks than pgq.ticker() gives it.
--     pgqd calls it every ticker_busy_period (0.1 s), so an event waits
--     about that long for its tick instead of up to ticker_period; a
--     consumer LISTENing on pgq_tick then gets it at once.  One query
--     finds the busy queues (the event sequence against the last tick),
--     so a call is cheap with many idle queues.
-- Returns: the number of queues ticked.
-- ----------------------------------------------------------------------
create or replace function pgq.ticker_busy(i_min_lag interval)
returns integer as $$
declare
    q   record;
    n   integer := 0;
begin
    for q in
        select qq.queue_id, qq.queue_name, qq.queue_tick_seq,
               qq.queue_event_seq, lt.tick_id
          from pgq.queue qq
          cross join lateral (
                select t.tick_id, t.tick_time, t.tick_event_seq
                  from pgq.tick t
                 where t.tick_queue = qq.queue_id
                 order by t.tick_queue desc, t.tick_id desc
                 limit 1) lt
         where not qq.queue_external_ticker
           and not qq.queue_ticker_paused
           and lt.tick_time <= now() - i_min_lag
           and pg_catalog.pg_sequence_last_value(
                   pgq.quote_fqname(qq.queue_event_seq)::regclass)
               > lt.tick_event_seq
         order by qq.queue_name
    loop
        perform pgq._insert_tick(q.queue_id, q.queue_name, q.queue_tick_seq,
                                 q.tick_id, pgq.seq_getval(q.queue_event_seq));
        n := n + 1;
    end loop;
    return n;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
