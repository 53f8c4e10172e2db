create or replace function pgq_node.set_consumer_completed(
    in i_queue_name text,
    in i_consumer_name text,
    in i_tick_id int8,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_consumer_completed(3)
--
--      Record the tick a cascaded consumer has applied here, in the same
--      transaction as what it applied (clears its stored error).  A batch
--      handed out again after a crash is then recognised: its end tick is
--      the completed one.
--
-- Returns:
--      100 - Consumer <consumer> completed tick = <tick>
--      404 - Consumer not known: <queue>/<consumer>
-- ----------------------------------------------------------------------
begin
    update pgq_node.local_state
       set last_tick_id = i_tick_id, cur_error = null
     where queue_name = i_queue_name and consumer_name = i_consumer_name;
    if not found then
        select 404, 'Consumer not known: ' || i_queue_name || '/' || i_consumer_name
          into ret_code, ret_note;
        return;
    end if;
    select 100, 'Consumer ' || i_consumer_name || ' completed tick = ' || i_tick_id
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
