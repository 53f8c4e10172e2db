-- ----------------------------------------------------------------------
-- schema.sql
--     The registry of replicated tables and sequences of every queue of
--     this database, the EXECUTE files applied, and the foreign keys
--     dropped for a copy.  Rows of a queue go away with its node
--     (pgq_node.node_info, on delete cascade).
-- ----------------------------------------------------------------------
set client_min_messages = warning;

do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'londiste_writer') then
        create role londiste_writer in role pgq_admin;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'londiste_reader') then
        create role londiste_reader in role pgq_reader;
    end if;
end $$;

create schema londiste;

-- One row per (queue, table) known on this node: announced by the root,
-- attached here when local, with its copy state.
create table londiste.table_info (
    nr                  serial not null,
    queue_name          text not null,
    table_name          text not null,
    local               boolean not null default false,
    merge_state         text,
    custom_snapshot     text,
    dropped_ddl         text,
    table_attrs         text,
    dest_table          text,
    primary key (queue_name, table_name),
    foreign key (queue_name)
        references pgq_node.node_info (queue_name) on delete cascade,
    check (dropped_ddl is null or merge_state in ('in-copy', 'catching-up'))
);

-- One row per (queue, sequence): the value the root published last.
create table londiste.seq_info (
    nr                  serial not null,
    queue_name          text not null,
    seq_name            text not null,
    local               boolean not null default false,
    last_value          int8 not null,
    primary key (queue_name, seq_name),
    foreign key (queue_name)
        references pgq_node.node_info (queue_name) on delete cascade
);

-- EXECUTE files applied here; a file name is applied once per database.
create table londiste.applied_execute (
    queue_name          text not null,
    execute_file        text not null,
    execute_time        timestamptz not null default now(),
    execute_sql         text not null,
    execute_attrs       text,
    primary key (execute_file)
);

-- Foreign keys dropped for a copy, with the statement that restores them.
create table londiste.pending_fkeys (
    from_table          text not null,
    to_table            text not null,
    fkey_name           text not null,
    fkey_def            text not null,
    primary key (from_table, fkey_name)
);
