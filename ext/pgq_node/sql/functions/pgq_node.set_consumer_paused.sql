create or replace function pgq_node.set_consumer_paused(
    in i_queue_name text,
    in i_consumer_name text,
    in i_paused boolean,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.set_consumer_paused(3)
--
--      Pause or resume a cascaded consumer; it acknowledges by setting
--      uptodate again.
--
-- Returns:
--      200 - Consumer <consumer> tagged as paused|resumed
--      201 - Consumer <consumer> already paused|resumed
--      404 - Unknown consumer: <consumer>
-- ----------------------------------------------------------------------
declare
    was boolean;
    what text;
begin
    select s.paused into was
      from pgq_node.local_state s
     where s.queue_name = i_queue_name and s.consumer_name = i_consumer_name
       for update;
    if not found then
        select 404, 'Unknown consumer: ' || i_consumer_name into ret_code, ret_note;
        return;
    end if;

    what := case when i_paused then 'paused' else 'resumed' end;
    if was = i_paused then
        select 201, 'Consumer ' || i_consumer_name || ' already ' || what
          into ret_code, ret_note;
        return;
    end if;

    update pgq_node.local_state
       set paused = i_paused, uptodate = false
     where queue_name = i_queue_name and consumer_name = i_consumer_name;
    select 200, 'Consumer ' || i_consumer_name || ' tagged as ' || what
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
