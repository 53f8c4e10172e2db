-- Bring the tables to the current layout (idempotent).
select pgq_node.upgrade_schema();
