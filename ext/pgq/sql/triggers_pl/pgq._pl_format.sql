-- ----------------------------------------------------------------------
-- pgq._pl_format(fmt, op, names, vals, jvals, old_vals, keys, ignore_list)
--     (PL-only build) ev_data of one row event: urlencoded (logutriga),
--     JSON (jsontriga) or an SQL fragment (sqltriga).  Magic _pgq_ev_*
--     and ignored columns are left out.  For sqltriga an UPDATE's SET list
--     holds the changed columns (or, when none changed, the first key
--     column set to its old value) and the key condition the old values.
-- ----------------------------------------------------------------------
create or replace function pgq._pl_format(
    fmt text, op text, names text[], vals text[], jvals text[],
    old_vals text[], keys text[], ignore_list text)
returns text as $$
declare
    ign     text[] := array(select btrim(p, E' \t')
                              from unnest(string_to_array(ignore_list, ',')) p);
    n       integer := coalesce(cardinality(names), 0);
    data    boolean[];
    res     text := '';
    cols    text := '';
    keyvals text[];
    cond    text := '';
    v       text;
begin
    data := array(select not (starts_with(names[i], '_pgq_ev_') or names[i] = any (ign))
                    from generate_series(1, n) i order by i);
    if fmt = 'logutriga' then
        for i in 1 .. n loop
            continue when not data[i];
            res := res || case when res = '' and cols = '' then '' else '&' end
                || pgq._urlencode(names[i])
                || case when vals[i] is null then '' else '=' || pgq._urlencode(vals[i]) end;
            cols := 'x';
        end loop;
        return res;
    elsif fmt = 'jsontriga' then
        for i in 1 .. n loop
            continue when not data[i];
            res := res || case when res = '' then '' else ',' end
                || to_json(names[i])::text || ':' || jvals[i];
        end loop;
        return '{' || res || '}';
    end if;

    if op = 'INSERT' then
        for i in 1 .. n loop
            continue when not data[i];
            cols := cols || case when cols = '' then '' else ',' end || quote_ident(names[i]);
            res := res || case when res = '' then '' else ',' end
                || coalesce(quote_literal(vals[i]), 'null');
        end loop;
        return '(' || cols || ') values (' || res || ')';
    end if;

    keyvals := case when op = 'UPDATE' then old_vals else vals end;
    for i in 1 .. n loop
        continue when not names[i] = any (keys);
        if keyvals[i] is null then
            raise exception 'logtriga: Unexpected NULL key value';
        end if;
        cond := cond || case when cond = '' then '' else ' and ' end
            || quote_ident(names[i]) || '=' || quote_literal(keyvals[i]);
    end loop;
    if op = 'DELETE' then
        return cond;
    end if;

    for i in 1 .. n loop
        continue when not data[i] or names[i] = any (keys)
            or vals[i] is not distinct from old_vals[i];
        res := res || case when res = '' then '' else ',' end
            || quote_ident(names[i]) || '=' || coalesce(quote_literal(vals[i]), 'NULL');
    end loop;
    if res = '' then
        for i in 1 .. n loop
            continue when not names[i] = any (keys);
            res := quote_ident(names[i]) || '=' || coalesce(quote_literal(old_vals[i]), 'NULL');
            exit;
        end loop;
    end if;
    return res || ' where ' || cond;
end;
$$ language plpgsql immutable set search_path = pg_catalog, pg_temp;
