-- ----------------------------------------------------------------------
-- upgrade_prologue.sql
--     Start of every update script.  get_node_info() gained target_for
--     in upstream 3.5 and CREATE OR REPLACE cannot change OUT columns, so
--     it is dropped and re-created; every other function keeps its
--     signature and is replaced in place.
-- ----------------------------------------------------------------------
set client_min_messages = warning;

drop function if exists pgq_node.get_node_info(text);
