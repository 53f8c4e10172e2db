-- ----------------------------------------------------------------------
-- pgq.set_queue_config(x_queue_name, x_param_name, x_param_value)
--     Change one ticker or rotation setting of a queue.  The parameter is
--     named without its 'queue_' prefix (as upstream, 'queue_x' is refused).
--     The value is converted by the input function of the column's type.
-- Returns: 1.
-- Errors: 'Invalid NULL value'; 'No such event queue';
--     'cannot change parameter "<name>s"' (upstream's text, stray s kept).
-- ----------------------------------------------------------------------
create or replace function pgq.set_queue_config(
    x_queue_name text, x_param_name text, x_param_value text)
returns integer as $$
declare
    v_param text;
begin
    if x_queue_name is null or x_param_name is null then
        raise exception 'Invalid NULL value';
    end if;

    perform 1 from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'No such event queue';
    end if;

    v_param := 'queue_' || x_param_name;

    if v_param not in ('queue_ticker_max_count', 'queue_ticker_max_lag',
                       'queue_ticker_idle_period', 'queue_ticker_paused',
                       'queue_rotation_period', 'queue_external_ticker')
    then
        raise exception 'cannot change parameter "%s"', x_param_name;
    end if;

    execute 'update pgq.queue set ' || v_param || ' = '
        || pg_catalog.quote_literal(x_param_value)
        || ' where queue_name = ' || pg_catalog.quote_literal(x_queue_name);
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
