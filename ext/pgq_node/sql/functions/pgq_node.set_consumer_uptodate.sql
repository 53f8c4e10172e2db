create or replace function pgq_node.set_consumer_uptodate(
    in i_queue_name text,
    in i_consumer_name text,
    in i_uptodate boolean,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_consumer_uptodate(3)
--
--      The consumer's acknowledgement of an admin change (pause, resume,
--      new provider), which admin tools wait for.
--
-- Returns:
--      200 - Consumer uptodate = <0|1>
--      404 - Consumer not known: <queue>/<consumer>
-- ----------------------------------------------------------------------
begin
    update pgq_node.local_state
       set uptodate = i_uptodate
     where queue_name = i_queue_name and consumer_name = i_consumer_name;
    if not found then
        select 404, 'Consumer not known: ' || i_queue_name || '/' || i_consumer_name
          into ret_code, ret_note;
        return;
    end if;
    select 200, 'Consumer uptodate = ' || i_uptodate::int4 into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
