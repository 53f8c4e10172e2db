-- ----------------------------------------------------------------------
-- pgq.jsontriga()
--     Row-capture trigger (C, module pgq_triggers, src/triggers/): queue
--     every row change of the table as an event, JSON: ev_type '{"op":..,"table":[..],"pkey":[..]}', ev_data
--     the row as a JSON object.
--     Arguments: the queue name, then SKIP, ignore=, pkey=, backup, deny,
--     ev_type= .. ev_extra4= and when= (see doc/pgq.md).
-- ----------------------------------------------------------------------
create or replace function pgq.jsontriga()
returns trigger
as '$libdir/pgq_triggers', 'pgq_jsontriga'
language c;
