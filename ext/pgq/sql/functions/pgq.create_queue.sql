-- ----------------------------------------------------------------------
-- pgq.create_queue(i_queue_name)
--     Create a queue: its row in pgq.queue, the tick and event-id
--     sequences, the parent event table and queue_ntables children (each
--     with an ev_id default and an ev_txid index), grants, the first tick
--     (so consumers can register at once) and storage options.
-- Returns: 1 if created, 0 if the queue already exists.
-- Errors: 'Invalid NULL value' for a NULL name.
-- ----------------------------------------------------------------------
create or replace function pgq.create_queue(i_queue_name text)
returns integer as $$
declare
    qid         integer;
    n_tables    integer;
    tblpfx      text;
    tblname     text;
    ev_seq      text;
    tick_seq    text;
begin
    if i_queue_name is null then
        raise exception 'Invalid NULL value';
    end if;

    perform 1 from pgq.queue where queue_name = i_queue_name;
    if found then
        return 0;
    end if;

    qid := pg_catalog.nextval('pgq.queue_queue_id_seq');
    tblpfx := 'pgq.event_' || qid::text;
    ev_seq := tblpfx || '_id_seq';
    tick_seq := tblpfx || '_tick_seq';

    insert into pgq.queue (queue_id, queue_name, queue_data_pfx,
                           queue_event_seq, queue_tick_seq)
        values (qid, i_queue_name, tblpfx, ev_seq, tick_seq);
    select queue_ntables into n_tables from pgq.queue where queue_id = qid;

    execute 'create sequence ' || pgq.quote_fqname(tick_seq);
    execute 'create sequence ' || pgq.quote_fqname(ev_seq);
    execute 'create table ' || pgq.quote_fqname(tblpfx)
        || ' () inherits (pgq.event_template)';

    for i in 0 .. (n_tables - 1) loop
        tblname := tblpfx || '_' || i::text;
        execute 'create table ' || pgq.quote_fqname(tblname)
            || ' () inherits (' || pgq.quote_fqname(tblpfx) || ')';
        execute 'alter table ' || pgq.quote_fqname(tblname)
            || ' alter column ev_id set default pg_catalog.nextval('
            || pg_catalog.quote_literal(ev_seq) || '::pg_catalog.regclass)';
        execute 'create index '
            || pg_catalog.quote_ident('event_' || qid::text || '_' || i::text || '_txid_idx')
            || ' on ' || pgq.quote_fqname(tblname) || ' (ev_txid)';
    end loop;

    perform pgq.grant_perms(i_queue_name);
    perform pgq.ticker(i_queue_name);
    perform pgq.tune_storage(i_queue_name);

    -- Under wal_level = minimal, a sequence created in this transaction is
    -- not WAL-logged here, yet nextval marks 32 values as logged ahead: a
    -- crash before the next checkpoint would take the sequence back below
    -- the ticks and events made since.  setval clears that mark, so the
    -- next nextval (in a later transaction) is logged.
    perform pg_catalog.setval(pgq.quote_fqname(tick_seq)::regclass,
                              pgq.seq_getval(tick_seq));
    perform pg_catalog.setval(pgq.quote_fqname(ev_seq)::regclass,
                              pgq.seq_getval(ev_seq), false);
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
