-- The extension, whichever build: the rest of the suites run on it.
\set VERBOSITY terse
set client_min_messages = warning;
create extension pgq_node cascade;
reset client_min_messages;
select count(*) from pg_extension where extname in ('pgq', 'pgq_node');
