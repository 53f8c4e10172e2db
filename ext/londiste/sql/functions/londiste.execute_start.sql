create or replace function londiste.execute_start(
    in i_queue_name text,
    in i_file_name text,
    in i_sql text,
    in i_expect_root boolean,
    in i_attrs text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.execute_start(5)
--
--      Start applying an EXECUTE file: recorded once per database, so a
--      file seen again (replayed, or run twice) is skipped.  Concurrent
--      starts of one file wait for each other on the key.
--
-- Parameters:
--      i_expect_root - the file is being started by the user on the root
--      i_attrs       - urlencoded meta-attributes of the file
--
-- Returns:
--      200 - Executing: <file>
--      201 - EXECUTE: "<file>" already applied, skipping
--      401 - Node is not root node: <queue>
-- ----------------------------------------------------------------------
begin
    if i_expect_root and not pgq_node.is_root_node(i_queue_name) then
        select 401, 'Node is not root node: ' || i_queue_name into ret_code, ret_note;
        return;
    end if;
    insert into londiste.applied_execute (queue_name, execute_file, execute_sql, execute_attrs)
    values (i_queue_name, i_file_name, i_sql, i_attrs)
    on conflict (execute_file) do nothing;
    if not found then
        select 201, 'EXECUTE: "' || i_file_name || '" already applied, skipping'
          into ret_code, ret_note;
        return;
    end if;
    select 200, 'Executing: ' || i_file_name into ret_code, ret_note;
    return;
end;
$$ language plpgsql;

create or replace function londiste.execute_start(
    in i_queue_name text,
    in i_file_name text,
    in i_sql text,
    in i_expect_root boolean,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.execute_start(4)
--
--      execute_start(5) without meta-attributes.
-- ----------------------------------------------------------------------
    select * from londiste.execute_start(i_queue_name, i_file_name, i_sql, i_expect_root, null);
$$ language sql;
