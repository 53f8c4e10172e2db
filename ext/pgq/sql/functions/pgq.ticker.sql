-- ----------------------------------------------------------------------
-- pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq)
--     External tick, for cascaded queues: insert a tick with the
--     provider's tick id, time and event sequence but the local snapshot,
--     and push the local tick and event sequences forward to match.
--     The snapshot counts the calling transaction as committed, so a
--     cascade worker can copy a batch's events and insert its tick in one
--     transaction: the events land in the batch that ends at this tick
--     (and if the transaction aborts, the tick goes with them).  A tick
--     made in a transaction of its own is what it always was.
--     Consumers LISTENing on channel 'pgq_tick' get the queue name.
-- Returns: i_tick_id.
-- Errors: 'queue not found or ticker disabled: <q>' unless the queue
--     exists, has an external ticker and is not paused.
-- ----------------------------------------------------------------------
create or replace function pgq.ticker(
    i_queue_name text, i_tick_id bigint, i_orig_timestamp timestamptz,
    i_event_seq bigint)
returns bigint as $$
declare
    q record;
    own bigint;
    snap txid_snapshot;
begin
    select queue_id, queue_tick_seq, queue_event_seq into q
      from pgq.queue
     where queue_name = i_queue_name
       and queue_external_ticker and not queue_ticker_paused;
    if not found then
        raise exception 'queue not found or ticker disabled: %', i_queue_name;
    end if;

    -- this transaction's snapshot, with this transaction visible in it
    own := txid_current();
    snap := txid_current_snapshot();
    select (coalesce(min(x), greatest(txid_snapshot_xmax(snap), own + 1))
            || ':' || greatest(txid_snapshot_xmax(snap), own + 1)
            || ':' || coalesce(string_agg(x::text, ',' order by x), ''))::txid_snapshot
      into snap
      from txid_snapshot_xip(snap) x
     where x <> own;

    insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq,
                          tick_snapshot)
        values (q.queue_id, i_tick_id, i_orig_timestamp, i_event_seq, snap);

    perform pgq.seq_setval(q.queue_tick_seq, i_tick_id);
    perform pgq.seq_setval(q.queue_event_seq, i_event_seq);
    -- wake LISTENing consumers (payload limit: 8000 bytes)
    if octet_length(i_queue_name) < 8000 then
        perform pg_catalog.pg_notify('pgq_tick', i_queue_name);
    end if;
    return i_tick_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- ----------------------------------------------------------------------
-- pgq.ticker(i_queue_name)
--     Tick one queue if it is due.  A queue with new events ticks once it
--     has ticker_max_count of them or its last tick is ticker_max_lag
--     old.  An idle queue backs off: it ticks no sooner than
--     ticker_max_lag/2 after the last tick, and then only when the gap
--     would be at least twice the previous one, or ticker_idle_period
--     has passed.  The tick's snapshot is this transaction's, so the
--     caller must commit right after.  A tick NOTIFYs channel pgq_tick
--     with the queue name as payload, so consumers need not poll.
-- Returns: the new tick id, or NULL when the queue was not due.
-- Errors: 'no such queue'; 'This queue has external tick source.';
--     'Ticker has been paused for this queue'; 'Invalid PgQ state: ...'
--     when the last tick's xmin lies in the future (restored database).
-- ----------------------------------------------------------------------
create or replace function pgq.ticker(i_queue_name text)
returns bigint as $$
declare
    q           record;
    t           record;
    cur_seq     bigint;
    cur_txid    bigint;
    new_events  bigint;
    lag         interval;
    prev_time   timestamptz;
begin
    select queue_id, queue_tick_seq, queue_event_seq, queue_external_ticker,
           queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,
           queue_ticker_idle_period
      into q from pgq.queue where queue_name = i_queue_name;
    if not found then
        raise exception 'no such queue';
    end if;
    if q.queue_external_ticker then
        raise exception 'This queue has external tick source.';
    end if;
    if q.queue_ticker_paused then
        raise exception 'Ticker has been paused for this queue';
    end if;

    cur_seq := pgq.seq_getval(q.queue_event_seq);

    select tick_id, tick_time, tick_event_seq,
           txid_snapshot_xmin(tick_snapshot) as xmin,
           txid_snapshot_xmax(tick_snapshot) as xmax
      into t from pgq.tick where tick_queue = q.queue_id
     order by tick_queue desc, tick_id desc limit 1;

    if found then
        cur_txid := txid_current();
        if t.xmin > cur_txid then
            raise exception 'Invalid PgQ state: old xmin=%, old xmax=%, cur txid=%',
                t.xmin, t.xmax, cur_txid;
        end if;
        new_events := cur_seq - t.tick_event_seq;
        if new_events < 0 then
            raise warning 'Negative new_events?  old=% cur=%',
                t.tick_event_seq, cur_seq;
        end if;
        if t.xmax > cur_txid then
            raise warning 'Dubious PgQ state: old xmax=%, cur txid=%',
                t.xmax, cur_txid;
        end if;

        lag := now() - t.tick_time;
        if new_events > 0 then
            if new_events < q.queue_ticker_max_count
               and lag < q.queue_ticker_max_lag
            then
                return null;
            end if;
        else
            select tick_time into prev_time from pgq.tick
             where tick_queue = q.queue_id and tick_id < t.tick_id
             order by tick_queue desc, tick_id desc limit 1;
            if found then
                if lag < q.queue_ticker_max_lag / 2
                   or (lag < (t.tick_time - prev_time) * 2
                       and lag < q.queue_ticker_idle_period)
                then
                    return null;
                end if;
            end if;
        end if;
    end if;

    return pgq._insert_tick(q.queue_id, i_queue_name, q.queue_tick_seq,
                            t.tick_id, cur_seq);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

-- ----------------------------------------------------------------------
-- pgq.ticker()
--     Tick every queue that has neither an external ticker nor a paused
--     one, each when due (see ticker(text)).  One statement finds the
--     queues that are due (the same tests as ticker(text), on the last two
--     ticks and the event sequence's last value read without dynamic SQL)
--     and inserts their ticks; a second NOTIFYs them in name order: a
--     round costs little more than its ticks, however many queues are
--     idle.  An event sequence not called since create_queue set it
--     back (pg_sequence_last_value is NULL) still holds the value the
--     queue's ticks store: no new events.  A queue whose state would make
--     ticker(text) raise or warn, or that has no tick yet, goes through
--     ticker(text) itself, after the others.
-- Returns: the number of queues that got a tick.
-- ----------------------------------------------------------------------
create or replace function pgq.ticker()
returns bigint as $$
declare
    direct  text[];
    via     text[];
    qname   text;
    n       bigint;
begin
    with due as materialized (
        select qq.queue_id, qq.queue_name, qq.queue_tick_seq, t.tick_id,
               coalesce(x.cur_seq, t.tick_event_seq) as cur_seq,
               (t.tick_id is null
                or t.xmin > txid_current() or t.xmax > txid_current()
                or x.new_events < 0) as via_ticker
          from pgq.queue qq
          left join lateral (
                select t.tick_id, t.tick_time, t.tick_event_seq,
                       txid_snapshot_xmin(t.tick_snapshot) as xmin,
                       txid_snapshot_xmax(t.tick_snapshot) as xmax
                  from pgq.tick t
                 where t.tick_queue = qq.queue_id
                 order by t.tick_queue desc, t.tick_id desc limit 1) t on true
          left join lateral (
                select p.tick_time
                  from pgq.tick p
                 where p.tick_queue = qq.queue_id and p.tick_id < t.tick_id
                 order by p.tick_queue desc, p.tick_id desc limit 1) p on true
          cross join lateral (
                select s.cur_seq,
                       coalesce(s.cur_seq, t.tick_event_seq) - t.tick_event_seq as new_events,
                       now() - t.tick_time as lag
                  from (select pg_sequence_last_value(qq.queue_event_seq::regclass) as cur_seq) s) x
         where not qq.queue_external_ticker and not qq.queue_ticker_paused
           and (t.tick_id is null
                -- ticker(text)'s errors and warnings stay its own
                or t.xmin > txid_current() or t.xmax > txid_current()
                or x.new_events < 0
                or (x.new_events > 0
                    and coalesce(x.new_events >= qq.queue_ticker_max_count
                                 or x.lag >= qq.queue_ticker_max_lag, true))
                or (x.new_events = 0
                    and (p.tick_time is null
                         or coalesce(not (x.lag < qq.queue_ticker_max_lag / 2
                                          or (x.lag < (t.tick_time - p.tick_time) * 2
                                              and x.lag < qq.queue_ticker_idle_period)),
                                     true))))),
    ins as (
        -- pgq._insert_tick's work, in one statement
        insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
        select d.queue_id,
               case when d.new_id <= d.tick_id
                    then pgq.seq_setval(d.queue_tick_seq, d.tick_id + 1)
                    else d.new_id end,
               d.cur_seq
          from (select due.*,
                       nextval(pgq.quote_fqname(due.queue_tick_seq)::regclass) as new_id
                  from due where not due.via_ticker order by due.queue_name) d
        returning tick_queue)
    select array_agg(queue_name order by queue_name) filter (where not via_ticker),
           array_agg(queue_name order by queue_name) filter (where via_ticker)
      into direct, via
      from due;

    -- wake LISTENing consumers (payload limit: 8000 bytes)
    perform pg_catalog.pg_notify('pgq_tick', x)
       from pg_catalog.unnest(direct) x
      where pg_catalog.octet_length(x) < 8000;
    n := coalesce(pg_catalog.array_length(direct, 1), 0);
    if via is not null then
        foreach qname in array via loop
            if pgq.ticker(qname) is not null then
                n := n + 1;
            end if;
        end loop;
    end if;
    return n;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
