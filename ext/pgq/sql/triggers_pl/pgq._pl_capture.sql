-- ----------------------------------------------------------------------
-- pgq._pl_capture(fmt, op, tg_when, tg_level, relid, args, old_row, new_row)
--     (PL-only build) The body of the PL/pgSQL row-capture triggers:
--     the same checks, arguments, formats, magic columns, expressions and
--     messages as the C triggers (src/triggers/).  Known differences:
--     UPDATE change detection compares the columns' text output (C uses
--     the type's equality operator), and an expression's syntax errors
--     other than unterminated quotes and comments come from the parser.
-- Returns: the row the trigger should return (NULL to skip).
-- ----------------------------------------------------------------------
create or replace function pgq._pl_capture(
    fmt text, op text, tg_when text, tg_level text, relid oid, args text[],
    old_row anyelement, new_row anyelement)
returns anyelement as $$
declare
    qname       text;
    arg         text;
    skip        boolean := false;
    backup      boolean := false;
    deny        boolean := false;
    ignore_list text;
    pkey_list   text;
    exprs       text[] := array[null, null, null, null, null, null, null];
    expr_names  text[] := array['ev_type=', 'ev_data=', 'ev_extra1=', 'ev_extra2=',
                                'ev_extra3=', 'ev_extra4=', 'when='];
    f           text[] := array[null, null, null, null, null, null];
    schema_name text;
    table_name  text;
    cur         record;
    prev        record;
    i           integer;
    k           integer;
    is_key      boolean;
    skippable   boolean;
    changed     boolean;
    n_skipped   integer := 0;
    other       boolean := false;
    parts       text[];
    res         text;
    res_type    oid;
    magic       text[] := array['_pgq_ev_type', '_pgq_ev_data', '_pgq_ev_extra1',
                                '_pgq_ev_extra2', '_pgq_ev_extra3', '_pgq_ev_extra4'];
begin
    if op = 'TRUNCATE' then
        if tg_level <> 'STATEMENT' then
            raise exception 'pgq tRuncate trigger must be fired FOR EACH STATEMENT';
        end if;
    elsif tg_level <> 'ROW' then
        raise exception 'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW';
    end if;
    if coalesce(cardinality(args), 0) < 1 then
        raise exception 'pgq trigger must have destination queue as argument';
    end if;
    args := array(select unnest(args));     -- TG_ARGV counts from 0
    qname := args[1];

    for i in 2 .. coalesce(array_length(args, 1), 1) loop
        arg := args[i];
        if arg = 'SKIP' then
            skip := true;
        elsif arg like 'ignore=%' then
            if op = 'TRUNCATE' then
                raise exception 'Column ignore does not make sense for truncate trigger';
            end if;
            ignore_list := substr(arg, 8);
        elsif arg like 'pkey=%' then
            if op = 'TRUNCATE' then
                raise exception 'Custom pkey_list does not make sense for truncate trigger';
            end if;
            pkey_list := substr(arg, 6);
        elsif arg = 'backup' then
            if op = 'TRUNCATE' then
                raise exception 'Backup does not make sense for truncate trigger';
            end if;
            backup := true;
        elsif arg = 'deny' then
            deny := true;
        else
            k := 0;
            for i2 in 1 .. 7 loop
                if starts_with(arg, expr_names[i2]) then
                    k := i2;
                end if;
            end loop;
            if k = 0 then
                raise exception 'bad param to pgq trigger';
            end if;
            if op = 'TRUNCATE' then
                raise exception 'Custom expressions do not make sense for truncater trigger';
            end if;
            exprs[k] := substr(arg, length(expr_names[k]) + 1);
        end if;
    end loop;

    if current_setting('session_replication_role') = 'local' then
        return case when tg_when = 'AFTER' or op = 'TRUNCATE' then null
                    when op = 'DELETE' then old_row else new_row end;
    end if;

    select n.nspname, c.relname into schema_name, table_name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.oid = relid;
    if pkey_list is null or op = 'TRUNCATE' then
        select coalesce(string_agg(a.attname, ',' order by k.n), '') into pkey_list
          from pg_index x
          cross join unnest(x.indkey::int2[]) with ordinality k(attnum, n)
          join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
         where x.indrelid = relid and x.indisprimary;
        pkey_list := coalesce(pkey_list, '');
    end if;
    parts := array(select btrim(p, E' \t') from unnest(string_to_array(pkey_list, ',')) p);

    if op in ('UPDATE', 'DELETE') and pkey_list = '' then
        raise exception 'Update/Delete on table without pkey';
    end if;
    if skip and tg_when = 'AFTER' then
        raise exception 'SKIP does not work in AFTER trigger.';
    end if;
    if deny then
        raise exception 'Table ''%.%'' to queue ''%'': change not allowed (%)',
            schema_name, table_name, qname, op;
    end if;

    f[3] := schema_name || '.' || table_name;
    if op = 'TRUNCATE' then
        f[1] := case fmt when 'jsontriga'
                    then '{"op":"TRUNCATE","table":[' || to_json(schema_name)::text || ','
                         || to_json(table_name)::text || '],"pkey":['
                         || coalesce((select string_agg(to_json(p)::text, ',')
                                        from unnest(parts) p), '') || ']}'
                    else 'R' end;
        f[2] := case fmt when 'jsontriga' then '{}' else '' end;
        perform pgq.insert_event(qname, f[1], f[2], f[3], f[4], f[5], f[6]);
        return null;
    end if;

    select * into cur
      from pgq._pl_row(case when op = 'DELETE' then old_row else new_row end, relid);
    if op = 'UPDATE' then
        select * into prev from pgq._pl_row(old_row, relid);
    else
        select null::text[] as names, null::text[] as vals, null::text[] as jvals
          into prev;
    end if;

    -- which columns are data, which changed
    for i in 1 .. coalesce(array_length(cur.names, 1), 0) loop
        is_key := cur.names[i] = any (parts);
        skippable := starts_with(cur.names[i], '_pgq_ev_')
            or cur.names[i] = any (array(select btrim(p, E' \t')
                                          from unnest(string_to_array(ignore_list, ',')) p));
        if op = 'UPDATE' then
            changed := cur.vals[i] is distinct from prev.vals[i];
            if changed and (is_key or fmt = 'sqltriga' or ignore_list is not null) then
                if is_key then
                    raise exception 'primary key update not allowed';
                elsif skippable then
                    n_skipped := n_skipped + 1;
                else
                    other := true;
                end if;
            end if;
        end if;
    end loop;
    if op = 'UPDATE' and n_skipped > 0 and not other
       and (fmt = 'sqltriga' or ignore_list is not null) then
        return case when tg_when = 'AFTER' or skip then null else new_row end;
    end if;

    f[1] := case fmt
        when 'logutriga' then left(op, 1) || ':' || pkey_list
        when 'sqltriga' then left(op, 1)
        else '{"op":' || to_json(op)::text || ',"table":[' || to_json(schema_name)::text
             || ',' || to_json(table_name)::text || '],"pkey":['
             || coalesce((select string_agg(to_json(p)::text, ',') from unnest(parts) p), '')
             || ']}' end;
    f[2] := pgq._pl_format(fmt, op, cur.names, cur.vals, cur.jvals,
                           case when op = 'UPDATE' then prev.vals end, parts, ignore_list);
    if backup and op = 'UPDATE' then
        f[4] := pgq._pl_format(case fmt when 'jsontriga' then 'jsontriga' else 'logutriga' end,
                               'INSERT', prev.names, prev.vals, prev.jvals, null, parts,
                               ignore_list);
    end if;

    -- magic columns, then expressions, then when=
    for i in 1 .. coalesce(array_length(cur.names, 1), 0) loop
        if starts_with(cur.names[i], '_pgq_ev_') then
            k := array_position(magic, cur.names[i]);
            if k is null then
                raise exception 'Unknown magic column: %', cur.names[i];
            end if;
            f[k] := cur.vals[i];
        end if;
    end loop;
    for k in 1 .. 7 loop
        if exprs[k] is not null then
            begin
                execute 'select pg_typeof(x)::oid, case when num_nulls(x) = 1 then null'
                    || ' else format(''%s'', x) end from (select (' || exprs[k]
                    || E'\n) as x from (select ($1).*) _pgq_row) _pgq_expr'
                    using case when op = 'DELETE' then old_row else new_row end
                    into res_type, res;
            exception
                when syntax_error then
                    if sqlerrm like 'unterminated%' then
                        raise exception 'QB: syntax error';
                    end if;
                    raise;
            end;
            if k < 7 then
                f[k] := res;
            elsif res_type <> 'bool'::regtype then
                raise exception 'when= query result must be boolean, got=%', res_type;
            elsif res is null then
                raise exception 'when= should not be NULL';
            elsif res = 'f' then
                return case when tg_when = 'AFTER' or skip then null
                            when op = 'DELETE' then old_row else new_row end;
            end if;
        end if;
    end loop;

    perform pgq.insert_event(qname, f[1], f[2], f[3], f[4], f[5], f[6]);
    return case when tg_when = 'AFTER' or skip then null
                when op = 'DELETE' then old_row else new_row end;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;
