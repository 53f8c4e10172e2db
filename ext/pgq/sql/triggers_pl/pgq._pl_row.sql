-- ----------------------------------------------------------------------
-- pgq._pl_row(r, relid)   (PL-only build)
--     The live columns of row r of table relid, in column order: names,
--     type output texts (NULL for NULL), and JSON renderings as
--     pgq.jsontriga writes them (to_json for booleans, integers, dates
--     and timestamps; the text output as a JSON string otherwise).
-- ----------------------------------------------------------------------
create or replace function pgq._pl_row(
    in r anyelement, in relid oid,
    out names text[], out vals text[], out jvals text[])
as $$
declare
    sql text;
begin
    select array_agg(attname::text order by attnum),
           'select array[' || string_agg(
               format('case when num_nulls(($1).%1$I) = 1 then null else format(''%%s'', ($1).%1$I) end',
                      attname), ', ' order by attnum)
           || ']::text[], array[' || string_agg(
               case when atttypid in ('bool'::regtype, 'int2'::regtype, 'int4'::regtype,
                                      'int8'::regtype, 'date'::regtype,
                                      'timestamp'::regtype, 'timestamptz'::regtype)
                    then format('to_json(($1).%I)::text', attname)
                    else format('to_json(case when num_nulls(($1).%1$I) = 1 then null else format(''%%s'', ($1).%1$I) end)::text', attname)
               end, ', ' order by attnum)
           || ']::text[]'
      into names, sql
      from pg_attribute
     where attrelid = relid and attnum > 0 and not attisdropped;
    execute sql using r into vals, jvals;
    jvals := array(select coalesce(j, 'null') from unnest(jvals) with ordinality u(j, n) order by n);
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;
