create or replace function pgq_node.set_consumer_error(
    in i_queue_name text,
    in i_consumer_name text,
    in i_error_msg text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_consumer_error(3)
--
--      Store a cascaded consumer's last error, for status displays.
--
-- Returns:
--      100 - Consumer <consumer> error = <message>
--      101 - Consumer not known, ignoring: <queue>/<consumer>
-- ----------------------------------------------------------------------
begin
    update pgq_node.local_state
       set cur_error = i_error_msg
     where queue_name = i_queue_name and consumer_name = i_consumer_name;
    if not found then
        select 101, 'Consumer not known, ignoring: ' || i_queue_name || '/'
                    || i_consumer_name
          into ret_code, ret_note;
        return;
    end if;
    select 100, 'Consumer ' || i_consumer_name || ' error = ' || i_error_msg
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
