create or replace function londiste.local_remove_table(
    in i_queue_name text,
    in i_table_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_remove_table(2)
--
--      Detach a table here: its triggers go, DDL dropped for a copy is
--      put back (the half-copied rows are emptied first), its state is
--      reset and the sequences of its serial columns are detached too.
--      On the root the table is also unregistered and the removal
--      announced (event londiste.remove-table).
--
-- Returns:
--      200 - Table removed: <table>
--      400 - Table not found: <table>,
--            Table not registered locally: <table>
-- ----------------------------------------------------------------------
declare
    fq text;
    tbl record;
    dest text;
    seq record;
    is_root boolean;
begin
    fq := londiste.make_fqname(i_table_name);
    select * into tbl from londiste.table_info t
     where t.queue_name = i_queue_name and t.table_name = fq for update;
    if not found then
        select 400, 'Table not found: ' || fq into ret_code, ret_note;
        return;
    end if;
    is_root := pgq_node.is_root_node(i_queue_name);

    if tbl.local then
        dest := coalesce(tbl.dest_table, tbl.table_name);
        perform londiste.drop_table_triggers(i_queue_name, dest);
        if tbl.dropped_ddl is not null then
            execute 'truncate only ' || londiste.quote_fqname(dest);
            execute tbl.dropped_ddl;
        end if;
        update londiste.table_info t
           set local = false, merge_state = null, custom_snapshot = null,
               table_attrs = null, dropped_ddl = null, dest_table = null
         where t.queue_name = i_queue_name and t.table_name = fq;

        -- the sequences of the table's serial columns
        for seq in
            select n.nspname || '.' || c.relname as name
              from pg_catalog.pg_depend d
              join pg_catalog.pg_class c on c.oid = d.objid and c.relkind = 'S'
              join pg_catalog.pg_namespace n on n.oid = c.relnamespace
              join pg_catalog.pg_attribute a
                on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
             where d.classid = 'pg_catalog.pg_class'::regclass
               and d.refclassid = 'pg_catalog.pg_class'::regclass
               and d.refobjid = londiste.find_table_oid(dest)
               and d.deptype in ('a', 'i')
               and a.atttypid in ('int4'::regtype, 'int8'::regtype)
             order by a.attnum
        loop
            if exists (select 1 from londiste.seq_info s
                        where s.queue_name = i_queue_name and s.seq_name = seq.name
                          and s.local) then
                perform londiste.local_remove_seq(i_queue_name, seq.name);
            end if;
        end loop;
    elsif not is_root then
        select 400, 'Table not registered locally: ' || fq into ret_code, ret_note;
        return;
    end if;

    if is_root then
        perform londiste.global_remove_table(i_queue_name, fq);
        perform pgq.insert_event(i_queue_name, 'londiste.remove-table', fq);
    end if;
    select 200, 'Table removed: ' || fq into ret_code, ret_note;
    return;
end;
$$ language plpgsql strict;
