-- ----------------------------------------------------------------------
-- pgq.logutriga()
--     Row-capture trigger (C, module pgq_triggers, src/triggers/): queue
--     every row change of the table as an event, urlencoded rows: ev_type 'I:pkey' / 'U:..' / 'D:..' / 'R',
--     ev_data 'col=val\&col2=val2'.
--     Arguments: the queue name, then SKIP, ignore=, pkey=, backup, deny,
--     ev_type= .. ev_extra4= and when= (see doc/pgq.md).
-- ----------------------------------------------------------------------
create or replace function pgq.logutriga()
returns trigger
as '$libdir/pgq_triggers', 'pgq_logutriga'
language c;
