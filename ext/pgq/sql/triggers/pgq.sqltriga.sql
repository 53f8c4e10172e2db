-- ----------------------------------------------------------------------
-- pgq.sqltriga()
--     Row-capture trigger (C, module pgq_triggers, src/triggers/): queue
--     every row change of the table as an event, SQL fragments: ev_type 'I' / 'U' / 'D' / 'R', ev_data
--     '(cols) values (vals)', 'set-list where key' or 'key'.
--     Arguments: the queue name, then SKIP, ignore=, pkey=, backup, deny,
--     ev_type= .. ev_extra4= and when= (see doc/pgq.md).
-- ----------------------------------------------------------------------
create or replace function pgq.sqltriga()
returns trigger
as '$libdir/pgq_triggers', 'pgq_sqltriga'
language c;
