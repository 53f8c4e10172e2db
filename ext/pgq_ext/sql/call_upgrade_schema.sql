-- Bring the tables to the current layout (idempotent).
select pgq_ext.upgrade_schema();
