-- Upstream PgQ 3.5 (Debian's build) under our suites: the same calls must
-- give the same rows and errors.  Only the install differs.
\set VERBOSITY terse
create extension pgq;
select pgq.version() >= '3' as version_ok;
