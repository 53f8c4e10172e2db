create or replace function londiste.local_add_table(
    in i_queue_name text,
    in i_table_name text,
    in i_trg_args text[],
    in i_table_attrs text,
    in i_dest_table text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_add_table(5)
--
--      Attach a table to the queue on this node.  On the root the table
--      is registered and announced (event londiste.add-table) and its
--      capture triggers made; elsewhere the root must have announced it,
--      it waits for its copy (merge_state NULL) unless expect_sync says
--      it is in sync already, and a leaf gets triggers that refuse local
--      writes.
--
-- Parameters:
--      i_trg_args    - trigger arguments (see create_trigger) and the
--                      words expect_sync, skip_truncate (kept in the
--                      attributes), merge_all, no_merge, virtual_table
--                      (no table here: no triggers, in sync)
--      i_table_attrs - urlencoded table attributes (handler=...)
--      i_dest_table  - the local table when named otherwise
--
-- Returns:
--      200 - Table added: <table>[(<dest>)], Table already added: <table>,
--            Table added with no triggers: <table>
--      400 - Primary key missing on table: <dest> (unless the arguments
--            choose a key, pkey=..., or capture inserts only, tgflags
--            without U and D: not upstream), No such set: <queue>
--      404 - Table does not exist: <dest>,
--            Table not available on queue: <table>
--      405 - Cannot use merge-all and no-merge together; Found local
--            table <table> in queue <other>, use remove-table first ...
--      410 - Table <table> already added, but with different args: <attrs>
--      4xx - Trigger creation failed for table <table>: <why>
--      The registration is kept when the trigger or merge step fails.
-- ----------------------------------------------------------------------
declare
    fq text;
    dest text;
    attrs text := i_table_attrs;
    expect_sync boolean := false;
    merge_all boolean := false;
    no_merge boolean := false;
    virtual boolean := false;
    keyed boolean := false;
    arg text;
    node record;
    tbl record;
    new_state text;
    sib record;
    nsib int4;
    trg record;
begin
    fq := londiste.make_fqname(i_table_name);
    dest := londiste.make_fqname(coalesce(i_dest_table, i_table_name));

    foreach arg in array coalesce(i_trg_args, '{}') loop
        if arg = 'expect_sync' then
            expect_sync := true;
        elsif arg = 'skip_truncate' then
            attrs := coalesce(attrs || '&', '') || 'skip_truncate=1';
        elsif arg = 'merge_all' then
            merge_all := true;
        elsif arg = 'no_merge' then
            no_merge := true;
        elsif arg = 'virtual_table' then
            virtual := true;
            expect_sync := true;
        elsif arg like 'pkey=_%' then
            keyed := true;  -- the key the caller chose (a table without a primary key)
        elsif arg like 'tgflags=%' and arg !~ '^tgflags=.*[UD]' and arg ~ '^tgflags=.*I' then
            keyed := true;  -- inserts only: no key needed
        end if;
    end loop;
    if merge_all and no_merge then
        select 405, 'Cannot use merge-all and no-merge together' into ret_code, ret_note;
        return;
    end if;

    if not virtual then
        if londiste.find_table_oid(dest) is null then
            select 404, 'Table does not exist: ' || dest into ret_code, ret_note;
            return;
        end if;
        if not keyed
           and not exists (select 1 from pg_catalog.pg_index i
                        where i.indrelid = londiste.find_table_oid(dest) and i.indisprimary)
           -- a merged destination whose key a sibling's copy has dropped
           and not exists (select 1 from londiste.table_info t
                            where coalesce(t.dest_table, t.table_name) = dest
                              and t.dropped_ddl is not null)
        then
            select 400, 'Primary key missing on table: ' || dest into ret_code, ret_note;
            return;
        end if;
    end if;

    select n.node_type, n.combined_queue, c.node_type as combined_type
      into node
      from pgq_node.node_info n
      left join pgq_node.node_info c on c.queue_name = n.combined_queue
     where n.queue_name = i_queue_name;
    if not found then
        select 400, 'No such set: ' || i_queue_name into ret_code, ret_note;
        return;
    end if;

    select * into tbl from londiste.table_info t
     where t.queue_name = i_queue_name and t.table_name = fq for update;
    if not found then
        if node.node_type <> 'root' then
            select 404, 'Table not available on queue: ' || fq into ret_code, ret_note;
            return;
        end if;
        perform londiste.global_add_table(i_queue_name, fq);
        select * into tbl from londiste.table_info t
         where t.queue_name = i_queue_name and t.table_name = fq for update;
    end if;

    if tbl.local then
        if coalesce(tbl.table_attrs, '') = coalesce(attrs, '') then
            select 200, 'Table already added: ' || fq into ret_code, ret_note;
        else
            select 410, 'Table ' || fq || ' already added, but with different args: '
                        || coalesce(tbl.table_attrs, '')
              into ret_code, ret_note;
        end if;
        return;
    end if;

    if node.node_type = 'root' or expect_sync
       or (node.node_type = 'leaf' and node.combined_type = 'branch')
    then
        new_state := 'ok';
    end if;
    update londiste.table_info t
       set local = true, merge_state = new_state, table_attrs = attrs,
           dest_table = case when dest <> fq then dest end
     where t.queue_name = i_queue_name and t.table_name = fq;
    if node.node_type = 'root' then
        perform pgq.insert_event(i_queue_name, 'londiste.add-table', fq);
    end if;

    -- a leaf of partition queues: the same destination fed by the other
    -- queues of its combined queue is attached together with this one
    if node.node_type = 'leaf' and not no_merge then
        nsib := 0;
        for sib in
            select t.queue_name, t.local
              from londiste.table_info t
              join pgq_node.node_info n on n.queue_name = t.queue_name
             where t.queue_name <> i_queue_name and t.table_name = fq
               and n.combined_queue is not distinct from node.combined_queue
             order by t.queue_name
        loop
            if sib.local and new_state is null then
                select 405, 'Found local table ' || fq || ' in queue ' || sib.queue_name
                            || ', use remove-table first to remove all previous table subscriptions'
                  into ret_code, ret_note;
                return;
            end if;
            nsib := nsib + 1;
        end loop;
        if nsib > 0 and not merge_all then
            select 405, 'Table ' || fq || ' is fed by several queues, use merge-all or no-merge'
              into ret_code, ret_note;
            return;
        end if;
        update londiste.table_info t
           set local = true, merge_state = new_state, table_attrs = attrs,
               dest_table = case when dest <> fq then dest end
          from pgq_node.node_info n
         where n.queue_name = t.queue_name and t.queue_name <> i_queue_name
           and t.table_name = fq and not t.local
           and n.combined_queue is not distinct from node.combined_queue;
        -- the combined queue's own node, when this database carries it
        if node.combined_type in ('root', 'branch') then
            perform londiste.global_add_table(node.combined_queue, fq);
            perform londiste.local_add_table(node.combined_queue, i_table_name,
                                             i_trg_args, i_table_attrs, i_dest_table);
        end if;
    end if;

    select * into trg
      from londiste.create_trigger(i_queue_name, fq, i_trg_args, dest, node.node_type);
    if trg.ret_code = 201 then
        select 200, 'Table added with no triggers: ' || fq into ret_code, ret_note;
    elsif trg.ret_code >= 300 then
        select trg.ret_code, 'Trigger creation failed for table ' || fq || ': ' || trg.ret_note
          into ret_code, ret_note;
    elsif dest <> fq then
        select 200, 'Table added: ' || fq || '(' || dest || ')' into ret_code, ret_note;
    else
        select 200, 'Table added: ' || fq into ret_code, ret_note;
    end if;
    return;
end;
$$ language plpgsql;

create or replace function londiste.local_add_table(
    in i_queue_name text,
    in i_table_name text,
    in i_trg_args text[],
    in i_table_attrs text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_add_table(4)
--
--      local_add_table(5) with the table under its own name.
-- ----------------------------------------------------------------------
    select * from londiste.local_add_table(i_queue_name, i_table_name, i_trg_args,
                                           i_table_attrs, null);
$$ language sql;

create or replace function londiste.local_add_table(
    in i_queue_name text,
    in i_table_name text,
    in i_trg_args text[],
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_add_table(3)
--
--      local_add_table(5) without attributes.
-- ----------------------------------------------------------------------
    select * from londiste.local_add_table(i_queue_name, i_table_name, i_trg_args,
                                           null, null);
$$ language sql;

create or replace function londiste.local_add_table(
    in i_queue_name text,
    in i_table_name text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_add_table(2)
--
--      local_add_table(5) with the default trigger.
-- ----------------------------------------------------------------------
    select * from londiste.local_add_table(i_queue_name, i_table_name, null, null, null);
$$ language sql strict;
