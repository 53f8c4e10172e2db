-- The extension, whichever build: the rest of the suites run on it.
\set VERBOSITY terse
set client_min_messages = warning;
create extension londiste cascade;
reset client_min_messages;
select extname from pg_extension where extname in ('pgq', 'pgq_node', 'londiste') order by 1;
