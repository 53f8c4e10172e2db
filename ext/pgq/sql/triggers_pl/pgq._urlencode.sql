-- ----------------------------------------------------------------------
-- pgq._urlencode(t)   (PL-only build)
--     Urlencode text as the C triggers do (common/urlenc.c): bytes
--     A-Z a-z 0-9 _ . - kept, space as '+', others as %xx, lower case.
-- ----------------------------------------------------------------------
create or replace function pgq._urlencode(t text)
returns text as $$
    select coalesce(string_agg(
               case when b between 48 and 57 or b between 65 and 90
                         or b between 97 and 122 or b in (45, 46, 95)
                    then chr(b)
                    when b = 32 then '+'
                    else '%' || lpad(to_hex(b), 2, '0') end, '' order by i), '')
      from (select i, get_byte(textsend(t), i) as b
              from generate_series(0, octet_length(t) - 1) i) bytes
$$ language sql strict immutable set search_path = pg_catalog, pg_temp;
