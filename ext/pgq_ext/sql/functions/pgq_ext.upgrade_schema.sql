create or replace function pgq_ext.upgrade_schema()
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: pgq_ext.upgrade_schema(0)
--
--      Bring the tables of a pre-3.0 install to the current layout: add
--      subconsumer_id where it is missing (rows get ''), put it in the
--      primary key after consumer_id, and give it the default ''.
--      The column is looked up in pg_attribute, which shows it whatever
--      the caller's privileges (information_schema hides it from others).
--
-- Returns:
--      The number of changes: one per table that got the column, one per
--      table whose column got its default (4 on a fresh install, 0 when
--      run again, 8 on a pre-3.0 schema).
-- ----------------------------------------------------------------------
declare
    cnt int4 := 0;
    tbl text;
    rel regclass;
begin
    foreach tbl in array array['completed_batch', 'completed_tick',
                               'partial_batch', 'completed_event']
    loop
        rel := pg_catalog.format('pgq_ext.%I', tbl)::regclass;
        perform 1 from pg_catalog.pg_attribute
          where attrelid = rel and attname = 'subconsumer_id'
            and not attisdropped;
        if not found then
            execute pg_catalog.format(
                'alter table pgq_ext.%I add column subconsumer_id text', tbl);
            execute pg_catalog.format(
                'update pgq_ext.%I set subconsumer_id = %L', tbl, '');
            execute pg_catalog.format(
                'alter table pgq_ext.%I alter column subconsumer_id set not null', tbl);
            execute pg_catalog.format(
                'alter table pgq_ext.%I drop constraint %I', tbl, tbl || '_pkey');
            execute pg_catalog.format(
                'alter table pgq_ext.%I add constraint %I primary key (%s)',
                tbl, tbl || '_pkey',
                case tbl when 'completed_event'
                    then 'consumer_id, subconsumer_id, batch_id, event_id'
                    else 'consumer_id, subconsumer_id' end);
            cnt := cnt + 1;
        end if;
    end loop;

    foreach tbl in array array['completed_batch', 'completed_tick',
                               'partial_batch', 'completed_event']
    loop
        rel := pg_catalog.format('pgq_ext.%I', tbl)::regclass;
        perform 1 from pg_catalog.pg_attribute a
          join pg_catalog.pg_attrdef d
            on d.adrelid = a.attrelid and d.adnum = a.attnum
          where a.attrelid = rel and a.attname = 'subconsumer_id';
        if not found then
            execute pg_catalog.format(
                'alter table pgq_ext.%I alter column subconsumer_id set default %L',
                tbl, '');
            cnt := cnt + 1;
        end if;
    end loop;

    return cnt;
end;
$$ language plpgsql;
