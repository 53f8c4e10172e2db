create or replace function londiste.create_trigger(
    in i_queue_name text,
    in i_table_name text,
    in i_trg_args text[],
    in i_dest_table text,
    in i_node_type text,
    out ret_code int4,
    out ret_note text,
    out trigger_name text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.create_trigger(5)
--
--      Make the capture triggers of a replicated table: a row trigger
--      _londiste_<queue> (AFTER INSERT OR UPDATE OR DELETE, pgq.logutriga
--      with the queue and the user's arguments) and a statement trigger
--      _londiste_<queue>_truncate (AFTER TRUNCATE, pgq.sqltriga).  On a
--      leaf both also get 'deny', so local writes fail (replay runs as
--      replica and is not affected).  A destination named otherwise than
--      the table gets ev_extra1='<table>' so that its events keep the
--      queue-wide name.  A row trigger with other settings is replaced;
--      the truncate trigger is made only when missing.
--
--      tgflags=<letters>: B before, A after, I/U/D the events (none: all
--      three), L logutriga, Q sqltriga, J jsontriga, S skip.
--
--      SKIP (a BEFORE trigger that keeps the row out of the table): with
--      no other SKIP trigger on the table ours is named zzz_<name>, so it
--      runs last; with one, that one is renamed zzz_<its name> and ours is
--      made without SKIP; with two or more, 405.  An AFTER trigger never
--      sees rows that a SKIP trigger dropped: 403.
--
-- Returns:
--      200 - OK
--      201 - Trigger not created (no_triggers, virtual_table, or a leaf
--            database without PgQ's trigger functions)
--      403 - AFTER trigger cannot work with SKIP trigger(s)
--      405 - Multiple SKIP triggers
-- ----------------------------------------------------------------------
declare
    arg text;
    args text[] := '{}';
    flags text := '';
    skip boolean := false;
    has_extra1 boolean := false;
    tbl_oid oid;
    tg_name text;
    trunc_name text;
    func text;
    before boolean;
    events text[] := '{}';
    tg_type int2;
    tg_args bytea;
    old record;
    nskip int4;
    other_skip record;
    q_args text := '';
begin
    foreach arg in array coalesce(i_trg_args, '{}') loop
        if arg in ('no_triggers', 'virtual_table') then
            select 201, 'Trigger not created' into ret_code, ret_note;
            return;
        elsif arg in ('expect_sync', 'skip_truncate', 'merge_all', 'no_merge') then
            continue;
        elsif arg like 'tgflags=%' then
            flags := pg_catalog.substr(arg, 9);
        elsif arg = 'SKIP' then
            skip := true;
        else
            if arg like 'ev_extra1=%' then
                has_extra1 := true;
            end if;
            args := args || arg;
        end if;
    end loop;
    if pg_catalog.strpos(flags, 'S') > 0 then
        skip := true;
    end if;

    if i_node_type = 'leaf' then
        if not exists (select 1 from pg_catalog.pg_proc p
                         join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                        where n.nspname = 'pgq'
                          and p.proname in ('logutriga', 'sqltriga', 'jsontriga'))
        then
            select 201, 'Trigger not created' into ret_code, ret_note;
            return;
        end if;
    end if;
    -- a partitioned table's trigger fires on its partitions, under their
    -- names: its events keep the table's
    if (i_dest_table <> i_table_name
        or londiste.find_rel_oid(i_dest_table, 'p') is not null)
       and not has_extra1 then
        args := args || ('ev_extra1=' || pg_catalog.quote_literal(i_table_name));
    end if;
    if i_node_type = 'leaf' then
        args := args || 'deny'::text;
    end if;

    tbl_oid := londiste.find_table_oid(i_dest_table);
    tg_name := '_londiste_' || i_queue_name;
    trunc_name := tg_name || '_truncate';
    before := pg_catalog.strpos(flags, 'B') > 0;
    func := case when pg_catalog.strpos(flags, 'Q') > 0 then 'pgq.sqltriga'
                 when pg_catalog.strpos(flags, 'J') > 0 then 'pgq.jsontriga'
                 else 'pgq.logutriga' end;
    if pg_catalog.strpos(flags, 'I') > 0 then events := events || 'insert'::text; end if;
    if pg_catalog.strpos(flags, 'U') > 0 then events := events || 'update'::text; end if;
    if pg_catalog.strpos(flags, 'D') > 0 then events := events || 'delete'::text; end if;
    if events = '{}' then
        events := '{insert,update,delete}';
    end if;

    -- other SKIP triggers on the table
    select count(*) into nskip
      from pg_catalog.pg_trigger t
     where t.tgrelid = tbl_oid and not t.tgisinternal
       and londiste.is_replica_func(t.tgfoid)
       and 'SKIP' = any (londiste._trigger_args(t.tgargs));
    if nskip > 0 and not before then
        select 403, 'AFTER trigger cannot work with SKIP trigger(s)' into ret_code, ret_note;
        return;
    end if;
    if skip then
        if nskip > 1 then
            select 405, 'Multiple SKIP triggers' into ret_code, ret_note;
            return;
        elsif nskip = 1 then
            select t.tgname into other_skip
              from pg_catalog.pg_trigger t
             where t.tgrelid = tbl_oid and not t.tgisinternal
               and londiste.is_replica_func(t.tgfoid)
               and 'SKIP' = any (londiste._trigger_args(t.tgargs));
            if other_skip.tgname not like 'zzz\_%' then
                execute 'alter trigger ' || pg_catalog.quote_ident(other_skip.tgname)
                     || ' on ' || londiste.quote_fqname(i_dest_table)
                     || ' rename to ' || pg_catalog.quote_ident('zzz_' || other_skip.tgname);
            end if;
        else
            tg_name := 'zzz_' || tg_name;
            args := array['SKIP'] || args;
        end if;
    end if;

    -- the row trigger: kept when it is already as wanted
    tg_type := 1 + case when before then 2 else 0 end
             + case when 'insert' = any (events) then 4 else 0 end
             + case when 'delete' = any (events) then 8 else 0 end
             + case when 'update' = any (events) then 16 else 0 end;
    select t.tgtype, t.tgfoid, londiste._trigger_args(t.tgargs) as targs into old
      from pg_catalog.pg_trigger t
     where t.tgrelid = tbl_oid and t.tgname = tg_name;
    if not found or old.tgtype <> tg_type or old.tgfoid <> func::regproc::oid
       or old.targs <> (array[i_queue_name] || args)
    then
        if found then
            execute 'drop trigger ' || pg_catalog.quote_ident(tg_name)
                 || ' on ' || londiste.quote_fqname(i_dest_table);
        end if;
        foreach arg in array args loop
            q_args := q_args || ', ' || pg_catalog.quote_literal(arg);
        end loop;
        execute 'create trigger ' || pg_catalog.quote_ident(tg_name)
             || case when before then ' before ' else ' after ' end
             || pg_catalog.array_to_string(events, ' or ')
             || ' on ' || londiste.quote_fqname(i_dest_table)
             || ' for each row execute procedure ' || func || '('
             || pg_catalog.quote_literal(i_queue_name) || q_args || ')';
    end if;

    -- the truncate trigger
    if not exists (select 1 from pg_catalog.pg_trigger t
                    where t.tgrelid = tbl_oid and t.tgname = trunc_name) then
        execute 'create trigger ' || pg_catalog.quote_ident(trunc_name)
             || ' after truncate on ' || londiste.quote_fqname(i_dest_table)
             || ' for each statement execute procedure pgq.sqltriga('
             || pg_catalog.quote_literal(i_queue_name)
             || case when i_node_type = 'leaf' then ', ''deny''' else '' end || ')';
    end if;

    select 200, 'OK' into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
