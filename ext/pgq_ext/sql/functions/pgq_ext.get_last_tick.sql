create or replace function pgq_ext.get_last_tick(
    a_consumer text,
    a_subconsumer text)
returns int8 as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.get_last_tick(2)
--
--      The last tick recorded as applied for the (consumer, subconsumer).
--
-- Returns:
--      The tick id, or NULL when none is recorded.
-- ----------------------------------------------------------------------
declare
    res int8;
begin
    select last_tick_id into res
      from pgq_ext.completed_tick
     where consumer_id = a_consumer
       and subconsumer_id = a_subconsumer;
    return res;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;

create or replace function pgq_ext.get_last_tick(a_consumer text)
returns int8 as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.get_last_tick(1)
--
--      get_last_tick(2) with the subconsumer ''.
-- ----------------------------------------------------------------------
begin
    return pgq_ext.get_last_tick(a_consumer, '');
end;
$$ language plpgsql;
