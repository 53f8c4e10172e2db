create or replace function londiste.is_obsolete_partition(
    i_partition_table text,
    i_retention_period interval,
    i_partition_period text)
returns boolean as $$
-- ----------------------------------------------------------------------
-- Function: londiste.is_obsolete_partition(3)
--
--      Whether a partition named <table>_YYYY (year), _YYYY_MM (month),
--      _YYYY_MM_DD (day) or _YYYY_MM_DD_HH (hour) starts before now()
--      minus the retention period.
--
-- Returns:
--      NULL when the name does not end as the period says.
-- ----------------------------------------------------------------------
declare
    suffix text;
    fmt text;
begin
    if i_partition_period in ('year', 'yearly') then
        suffix := (pg_catalog.regexp_match(i_partition_table, '_(\d{4})$'))[1];
        fmt := 'YYYY';
    elsif i_partition_period in ('month', 'monthly') then
        suffix := (pg_catalog.regexp_match(i_partition_table, '_(\d{4}_\d{2})$'))[1];
        fmt := 'YYYY_MM';
    elsif i_partition_period in ('day', 'daily') then
        suffix := (pg_catalog.regexp_match(i_partition_table, '_(\d{4}_\d{2}_\d{2})$'))[1];
        fmt := 'YYYY_MM_DD';
    elsif i_partition_period in ('hour', 'hourly') then
        suffix := (pg_catalog.regexp_match(i_partition_table, '_(\d{4}_\d{2}_\d{2}_\d{2})$'))[1];
        fmt := 'YYYY_MM_DD_HH24';
    end if;
    if suffix is null then
        return null;
    end if;
    return pg_catalog.to_timestamp(suffix, fmt) < pg_catalog.now() - i_retention_period;
end;
$$ language plpgsql;
