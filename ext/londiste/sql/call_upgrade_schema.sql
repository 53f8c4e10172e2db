-- Bring the tables to the current layout (idempotent).
select londiste.upgrade_schema();
