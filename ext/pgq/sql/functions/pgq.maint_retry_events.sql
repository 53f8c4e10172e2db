-- ----------------------------------------------------------------------
-- pgq.maint_retry_events()
--     Move up to 10 due events from the retry queue back into their
--     queues, with their original id and time and the owner that asked
--     for the retry.  One mover at a time: the retry queue is locked in
--     SHARE UPDATE EXCLUSIVE mode, which does not block inserts.
-- Returns: the number moved; call again while it is not 0.
-- ----------------------------------------------------------------------
create or replace function pgq.maint_retry_events()
returns integer as $$
declare
    ev      record;
    n       integer := 0;
begin
    lock table pgq.retry_queue in share update exclusive mode;

    for ev in
        select q.queue_name, rq.ev_id, rq.ev_time, rq.ev_owner, rq.ev_retry,
               rq.ev_type, rq.ev_data, rq.ev_extra1, rq.ev_extra2,
               rq.ev_extra3, rq.ev_extra4
          from pgq.retry_queue rq, pgq.queue q
         where rq.ev_retry_after <= current_timestamp
           and q.queue_id = rq.ev_queue
         order by rq.ev_retry_after
         limit 10
    loop
        n := n + 1;
        perform pgq.insert_event_raw(ev.queue_name, ev.ev_id, ev.ev_time,
                                     ev.ev_owner, ev.ev_retry, ev.ev_type,
                                     ev.ev_data, ev.ev_extra1, ev.ev_extra2,
                                     ev.ev_extra3, ev.ev_extra4);
        delete from pgq.retry_queue
         where ev_owner = ev.ev_owner and ev_id = ev.ev_id;
    end loop;
    return n;
end;
$$ language plpgsql;
