-- ----------------------------------------------------------------------
-- pgq.maint_operations()
--     The maintenance work due now, as calls for the daemon to make, each
--     in its own transaction and repeated while it returns non-zero:
--     rotation step 1 per due queue, then step 2 once; each queue's
--     queue_extra_maint functions; 'vacuum' of bookkeeping tables; and
--     the periodic work of pgq_node and londiste when installed.
-- Returns: (func_name, func_arg) rows; func_arg NULL for no argument.
-- ----------------------------------------------------------------------
create or replace function pgq.maint_operations(
    out func_name text, out func_arg text)
returns setof record as $$
declare
    r           record;
    rotating    boolean := false;
begin
    for r in
        select queue_name from pgq.queue
         where queue_rotation_period is not null
           and queue_switch_step2 is not null
           and queue_switch_time + queue_rotation_period < current_timestamp
         order by queue_name
    loop
        rotating := true;
        func_name := 'pgq.maint_rotate_tables_step1';
        func_arg := r.queue_name;
        return next;
    end loop;

    if not rotating then
        perform 1 from pgq.queue
         where queue_rotation_period is not null and queue_switch_step2 is null;
        rotating := found;
    end if;
    if rotating then
        func_name := 'pgq.maint_rotate_tables_step2';
        func_arg := null;
        return next;
    end if;

    perform 1 from pg_catalog.pg_attribute
     where attrelid = 'pgq.queue'::regclass
       and attname = 'queue_extra_maint' and not attisdropped;
    if found then
        for r in execute
            'select queue_name, pg_catalog.unnest(queue_extra_maint) as fn'
            || ' from pgq.queue where queue_extra_maint is not null'
            || ' order by queue_name'
        loop
            func_name := r.fn;
            func_arg := r.queue_name;
            return next;
        end loop;
    end if;

    for r in select t from pgq.maint_tables_to_vacuum() t loop
        func_name := 'vacuum';
        func_arg := r.t;
        return next;
    end loop;

    perform 1 from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on (n.oid = p.pronamespace)
     where n.nspname = 'pgq_node' and p.proname = 'maint_watermark';
    if found then
        for r in execute
            'select queue_name from pgq_node.node_info'
            || ' where node_type = ''root'' order by queue_name'
        loop
            func_name := 'pgq_node.maint_watermark';
            func_arg := r.queue_name;
            return next;
        end loop;
    end if;

    perform 1 from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on (n.oid = p.pronamespace)
     where n.nspname = 'londiste' and p.proname = 'root_check_seqs';
    if found then
        for r in execute
            'select distinct s.queue_name from londiste.seq_info s,'
            || ' pgq_node.node_info n where s.local'
            || ' and n.queue_name = s.queue_name and n.node_type = ''root'''
            || ' order by s.queue_name'
        loop
            func_name := 'londiste.root_check_seqs';
            func_arg := r.queue_name;
            return next;
        end loop;
    end if;

    perform 1 from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on (n.oid = p.pronamespace)
     where n.nspname = 'londiste' and p.proname = 'periodic_maintenance';
    if found then
        func_name := 'londiste.periodic_maintenance';
        func_arg := null;
        return next;
    end if;
    return;
end;
$$ language plpgsql;
