-- The SQL surface: every function with its arguments, result, security,
-- strictness and volatility; the tables' columns.  Clients call these by
-- name and by argument name, so any change here is a compatibility break.
-- Upstream's 51 functions, plus three of ours: pgq.ticker_busy(interval)
-- (pgqd's quick ticks for busy queues), the internal pgq._insert_tick and
-- pgq._batch_read_sql (how batches are read; the C build's
-- pgq._batch_rows is listed in init_ext).
\set VERBOSITY terse
\pset format unaligned
select p.proname || '(' || pg_get_function_arguments(p.oid) || ')' as function,
       pg_get_function_result(p.oid) as result,
       case when p.prosecdef then 'definer' else '' end as sec,
       case when p.proisstrict then 'strict' else '' end as strict,
       p.provolatile as vol
  from pg_proc p where p.pronamespace = 'pgq'::regnamespace
   and p.proname not in ('_urlencode', '_pl_row', '_pl_format', '_pl_capture', '_batch_rows')
 order by 1;
\pset format aligned

-- every SECURITY DEFINER function in PL/pgSQL pins its search_path; the C
-- one (insert_event) runs only search_path-proof SQL (security.sql tries)
select p.proname, p.proconfig from pg_proc p
 where p.pronamespace = 'pgq'::regnamespace and p.prosecdef
   and p.prolang <> (select oid from pg_language where lanname = 'c')
   and (p.proconfig is null
        or not 'search_path=pg_catalog, pg_temp' = any (p.proconfig));

-- (the PL-only build's internal trigger helpers are listed in init_pl,
-- the C build's batch read in init_ext)
select count(*) filter (where prosecdef) as definer, count(*) as total
  from pg_proc where pronamespace = 'pgq'::regnamespace
   and proname not in ('_urlencode', '_pl_row', '_pl_format', '_pl_capture', '_batch_rows');

select c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid) as default
  from pg_class c join pg_attribute a on a.attrelid = c.oid
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relnamespace = 'pgq'::regnamespace and c.relkind = 'r'
   and a.attnum > 0 and not a.attisdropped
 order by c.relname, a.attnum;

select conrelid::regclass, conname, pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'pgq'::regnamespace
 order by conrelid::regclass::text, 2;

select indexrelid::regclass, pg_get_indexdef(indexrelid)
  from pg_index where indrelid = 'pgq.retry_queue'::regclass order by indexrelid::regclass::text;
