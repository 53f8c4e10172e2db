-- ----------------------------------------------------------------------
-- pgq.next_batch_info(i_queue_name, i_consumer_name)
--     next_batch_custom() with no lag, count or interval conditions.
-- Returns: one row; all columns NULL when no batch is ready.
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch_info(
    in i_queue_name text, in i_consumer_name text,
    out batch_id int8,
    out cur_tick_id int8, out prev_tick_id int8,
    out cur_tick_time timestamptz, out prev_tick_time timestamptz,
    out cur_tick_event_seq int8, out prev_tick_event_seq int8)
as $$
begin
    select f.batch_id, f.cur_tick_id, f.prev_tick_id, f.cur_tick_time,
           f.prev_tick_time, f.cur_tick_event_seq, f.prev_tick_event_seq
      into batch_id, cur_tick_id, prev_tick_id, cur_tick_time,
           prev_tick_time, cur_tick_event_seq, prev_tick_event_seq
      from pgq.next_batch_custom(i_queue_name, i_consumer_name,
                                 null, null, null) f;
    return;
end;
$$ language plpgsql;

-- ----------------------------------------------------------------------
-- pgq.next_batch(i_queue_name, i_consumer_name)
--     Open the consumer's next batch, or return the one already open.
-- Returns: the batch id, or NULL when no batch is ready.
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch(
    i_queue_name text, i_consumer_name text)
returns int8 as $$
declare
    res int8;
begin
    select f.batch_id into res
      from pgq.next_batch_info(i_queue_name, i_consumer_name) f;
    return res;
end;
$$ language plpgsql;
