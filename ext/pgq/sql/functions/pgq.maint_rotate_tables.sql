-- ----------------------------------------------------------------------
-- pgq.maint_rotate_tables_step1(i_queue_name)
--     First half of a table rotation: when the rotation period has
--     passed and the previous rotation is complete, empty the next table
--     of the ring with TRUNCATE and send inserts there.
--
--     The table to be emptied is the one before the previous table.  A
--     batch may read it only while it reaches back before the last
--     rotation's step2, so rotation waits until the slowest consumer's
--     last tick has a snapshot xmin above step2.  A table that is locked
--     (pg_dump, a long reader) is skipped for now rather than waited for.
--     Ticks lying wholly before the old step2 are deleted: their events
--     are gone.  Step 2 must follow in a later transaction.
-- Returns: 0 always.
-- Errors: 'queue <q> maint failure: step1=<a>, current=<b>' when the txid
--     counter went back (restored database); 'queue <q> maint failure:
--     tick <id> not found'.
-- ----------------------------------------------------------------------
create or replace function pgq.maint_rotate_tables_step1(i_queue_name text)
returns integer as $$
declare
    q           record;
    slow_tick   bigint;
    slow_xmin   bigint;
    nr          integer;
    tbl         text;
begin
    select queue_id, queue_rotation_period, queue_switch_time,
           queue_switch_step1, queue_switch_step2, queue_ntables,
           queue_cur_table, queue_data_pfx
      into q from pgq.queue where queue_name = i_queue_name for update;
    if not found
       or q.queue_rotation_period is null
       or q.queue_switch_step2 is null
       or q.queue_switch_time + q.queue_rotation_period >= current_timestamp
    then
        return 0;
    end if;

    if pg_catalog.txid_current() < q.queue_switch_step1 then
        raise exception 'queue % maint failure: step1=%, current=%',
            i_queue_name, q.queue_switch_step1, pg_catalog.txid_current();
    end if;

    select min(sub_last_tick) into slow_tick
      from pgq.subscription where sub_queue = q.queue_id;
    if slow_tick is not null then
        select pg_catalog.txid_snapshot_xmin(tick_snapshot) into slow_xmin
          from pgq.tick
         where tick_queue = q.queue_id and tick_id = slow_tick;
        if not found then
            raise exception 'queue % maint failure: tick % not found',
                i_queue_name, slow_tick;
        end if;
        if slow_xmin <= q.queue_switch_step2 then
            return 0;
        end if;
    end if;

    nr := (q.queue_cur_table + 1) % q.queue_ntables;
    tbl := pgq.quote_fqname(q.queue_data_pfx || '_' || nr::text);
    begin
        execute 'lock table ' || tbl || ' nowait';
        execute 'truncate ' || tbl;
    exception
        when lock_not_available then
            return 0;
    end;

    update pgq.queue
       set queue_cur_table = nr, queue_switch_time = current_timestamp,
           queue_switch_step1 = pg_catalog.txid_current(),
           queue_switch_step2 = null
     where queue_id = q.queue_id;

    delete from pgq.tick
     where tick_queue = q.queue_id
       and pg_catalog.txid_snapshot_xmin(tick_snapshot) < q.queue_switch_step2;
    return 0;
end;
$$ language plpgsql;

-- ----------------------------------------------------------------------
-- pgq.maint_rotate_tables_step2()
--     Second half of a table rotation, in a transaction after step 1
--     committed: record a txid that is known to be later than the switch.
-- Returns: 0.
-- ----------------------------------------------------------------------
create or replace function pgq.maint_rotate_tables_step2()
returns integer as $$
begin
    update pgq.queue set queue_switch_step2 = pg_catalog.txid_current()
     where queue_switch_step2 is null;
    return 0;
end;
$$ language plpgsql;
