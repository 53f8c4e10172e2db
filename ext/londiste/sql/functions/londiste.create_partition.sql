create or replace function londiste.create_partition(
    i_table text,
    i_part text,
    i_pkeys text,
    i_part_field text,
    i_part_time timestamptz,
    i_part_period text)
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: londiste.create_partition(6)
--
--      Make a partition when it does not exist yet.  Of a partitioned
--      (declarative) table: PARTITION OF it for the range [start, start +
--      1 i_part_period) of its partition key, start being i_part_time
--      truncated to the period.  Of an ordinary table: like the parent (columns, defaults, constraints,
--      indexes) and inheriting from it, with the parent's owner, grants,
--      triggers and rules (each in its enabled state), and with the CHECK
--      i_part_field in [start, start + 1 i_part_period) when a field is
--      given, start being i_part_time truncated to the period.  Without
--      a primary key on the parent, i_pkeys (comma-separated columns)
--      becomes the partition's.  Concurrent calls take turns on a lock.
--
-- Returns:
--      1 when made, 0 when it existed.
-- ----------------------------------------------------------------------
declare
    parent_oid oid;
    parent_q text;
    part_oid oid;
    qpart text;
    split record;
    start timestamptz;
    g record;
    t record;
    r record;
begin
    lock table londiste.table_info in share update exclusive mode;
    if londiste.find_table_oid(i_part) is not null then
        return 0;
    end if;
    parent_oid := londiste.find_table_oid(i_table);
    if parent_oid is null then
        raise exception 'parent table not found: %', i_table;
    end if;
    qpart := londiste.quote_fqname(i_part);
    if londiste.find_rel_oid(i_table, 'p') is not null then
        start := pg_catalog.date_trunc(i_part_period, i_part_time);
        execute 'create table ' || qpart || ' partition of '
             || londiste.quote_fqname(i_table) || ' for values from ('
             || pg_catalog.quote_literal(start) || ') to ('
             || pg_catalog.quote_literal(start + ('1 ' || i_part_period)::interval) || ')';
        return 1;
    end if;
    select pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
      into parent_q
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.oid = parent_oid;
    select * into split from londiste.split_fqname(i_part);

    execute 'create table ' || qpart || ' (like ' || londiste.quote_fqname(i_table)
         || ' including all) inherits (' || londiste.quote_fqname(i_table) || ')';
    part_oid := londiste.find_table_oid(i_part);
    execute 'alter table ' || qpart || ' owner to '
         || (select pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner))
               from pg_catalog.pg_class c where c.oid = parent_oid);

    if i_pkeys is not null and i_pkeys <> ''
       and not exists (select 1 from pg_catalog.pg_index i
                        where i.indrelid = part_oid and i.indisprimary) then
        execute 'alter table ' || qpart || ' add primary key ('
             || (select pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.btrim(k)), ', ')
                   from pg_catalog.unnest(pg_catalog.string_to_array(i_pkeys, ',')) k) || ')';
    end if;

    if i_part_field is not null and i_part_field <> '' then
        start := pg_catalog.date_trunc(i_part_period, i_part_time);
        execute 'alter table ' || qpart || ' add constraint '
             || pg_catalog.quote_ident(split.name_part || '_partition_check')
             || ' check (' || pg_catalog.quote_ident(i_part_field) || ' >= '
             || pg_catalog.quote_literal(start) || '::timestamptz and '
             || pg_catalog.quote_ident(i_part_field) || ' < '
             || pg_catalog.quote_literal(start + ('1 ' || i_part_period)::interval)
             || '::timestamptz)';
    end if;

    -- grants (the owner's with grant option, as upstream makes them)
    for g in
        select a.grantee, a.privilege_type, a.is_grantable or a.grantee = c.relowner as is_grantable
          from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
         where c.oid = parent_oid
    loop
        execute 'grant ' || g.privilege_type || ' on ' || qpart || ' to '
             || case when g.grantee = 0 then 'public'
                     else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) end
             || case when g.is_grantable then ' with grant option' else '' end;
    end loop;

    -- triggers and rules, in the parent's enabled state
    for t in
        select tg.tgname, tg.tgenabled, pg_catalog.pg_get_triggerdef(tg.oid) as def
          from pg_catalog.pg_trigger tg
         where tg.tgrelid = parent_oid and not tg.tgisinternal
         order by tg.tgname
    loop
        execute pg_catalog.replace(t.def, ' ON ' || parent_q || ' ', ' ON ' || qpart || ' ');
        if t.tgenabled <> 'O' then
            execute 'alter table ' || qpart || ' '
                 || case t.tgenabled when 'D' then 'disable' when 'R' then 'enable replica'
                                     else 'enable always' end
                 || ' trigger ' || pg_catalog.quote_ident(t.tgname);
        end if;
    end loop;
    for r in
        select rw.rulename, rw.ev_enabled,
               pg_catalog.pg_get_ruledef(rw.oid) as def
          from pg_catalog.pg_rewrite rw
         where rw.ev_class = parent_oid and rw.rulename <> '_RETURN'
         order by rw.rulename
    loop
        execute pg_catalog.replace(r.def, ' TO ' || parent_q || ' ', ' TO ' || qpart || ' ');
        if r.ev_enabled <> 'O' then
            execute 'alter table ' || qpart || ' '
                 || case r.ev_enabled when 'D' then 'disable' when 'R' then 'enable replica'
                                      else 'enable always' end
                 || ' rule ' || pg_catalog.quote_ident(r.rulename);
        end if;
    end loop;
    return 1;
end;
$$ language plpgsql;
