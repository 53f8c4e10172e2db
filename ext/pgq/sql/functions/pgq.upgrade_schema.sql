-- ----------------------------------------------------------------------
-- pgq.upgrade_schema()
--     Idempotent structural fix-ups, run by the install and every update
--     script: sub_last_tick nullable (pgq_coop sub-consumers), the three
--     NOLOGIN roles, and the queue_extra_maint column.
-- Returns: 0 always.
-- ----------------------------------------------------------------------
create or replace function pgq.upgrade_schema()
returns int4 as $$
begin
    perform 1 from pg_catalog.pg_attribute
     where attrelid = 'pgq.subscription'::regclass
       and attname = 'sub_last_tick' and attnotnull;
    if found then
        alter table pgq.subscription alter column sub_last_tick drop not null;
    end if;

    perform 1 from pg_catalog.pg_roles where rolname = 'pgq_reader';
    if not found then
        create role pgq_reader;
    end if;
    perform 1 from pg_catalog.pg_roles where rolname = 'pgq_writer';
    if not found then
        create role pgq_writer;
    end if;
    perform 1 from pg_catalog.pg_roles where rolname = 'pgq_admin';
    if not found then
        create role pgq_admin in role pgq_reader, pgq_writer;
    end if;

    perform 1 from pg_catalog.pg_attribute
     where attrelid = 'pgq.queue'::regclass
       and attname = 'queue_extra_maint' and not attisdropped;
    if not found then
        alter table pgq.queue add column queue_extra_maint text[];
    end if;

    return 0;
end;
$$ language plpgsql;
