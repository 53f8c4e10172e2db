create or replace function pgq_node.upgrade_schema()
returns int4 as $$
-- ----------------------------------------------------------------------
-- Function: pgq_node.upgrade_schema(0)
--
--      Bring the tables of an older install to the current layout: add
--      node_info.node_attrs where it is missing.
--
-- Returns:
--      The number of changes made.
-- ----------------------------------------------------------------------
declare
    cnt int4 := 0;
begin
    perform 1 from pg_catalog.pg_attribute
      where attrelid = 'pgq_node.node_info'::regclass
        and attname = 'node_attrs' and not attisdropped;
    if not found then
        alter table pgq_node.node_info add column node_attrs text;
        cnt := cnt + 1;
    end if;
    return cnt;
end;
$$ language plpgsql;
