-- ----------------------------------------------------------------------
-- schema.sql
--     pgq_coop keeps no tables: a sub-consumer is a pgq consumer named
--     '<consumer>.<subconsumer>' whose pgq.subscription row shares the
--     main consumer's sub_id, so retries and unregistering follow the
--     main consumer.
-- ----------------------------------------------------------------------
set client_min_messages = warning;

create schema pgq_coop;
