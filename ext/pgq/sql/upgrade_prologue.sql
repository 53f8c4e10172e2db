-- ----------------------------------------------------------------------
-- upgrade_prologue.sql
--     Start of every update script from an upstream 3.x release.  The
--     OUT column list of get_queue_info() grew over releases, and
--     CREATE OR REPLACE cannot change it, so both overloads are dropped
--     and re-created.  Every other function keeps its signature and is
--     replaced in place, so dependent objects survive.
-- ----------------------------------------------------------------------
set client_min_messages = warning;

drop function if exists pgq.get_queue_info();
drop function if exists pgq.get_queue_info(text);
