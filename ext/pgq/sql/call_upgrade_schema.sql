-- Apply the structural fix-ups (roles, nullable sub_last_tick,
-- queue_extra_maint) before anything relies on them.
select pgq.upgrade_schema();
