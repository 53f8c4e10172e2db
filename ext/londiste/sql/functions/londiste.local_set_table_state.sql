create or replace function londiste.local_set_table_state(
    in i_queue_name text,
    in i_table_name text,
    in i_snapshot text,
    in i_merge_state text,
    out ret_code int4,
    out ret_note text)
returns record as $$
-- ----------------------------------------------------------------------
-- Function: londiste.local_set_table_state(4)
--
--      Store a local table's copy state (in-copy, catching-up,
--      wanna-sync:<tick>, do-sync:<tick>, ok, or NULL: copy again) and
--      the snapshot of its copy.
--
-- Returns:
--      200 - Table <table> state set to '<state>'
--      404 - No such table: <table>
-- ----------------------------------------------------------------------
declare
    fq text;
begin
    fq := londiste.make_fqname(i_table_name);
    update londiste.table_info t
       set custom_snapshot = i_snapshot, merge_state = i_merge_state
     where t.queue_name = i_queue_name and t.table_name = fq and t.local;
    if not found then
        select 404, 'No such table: ' || fq into ret_code, ret_note;
        return;
    end if;
    select 200, 'Table ' || fq || ' state set to ' || pg_catalog.quote_nullable(i_merge_state)
      into ret_code, ret_note;
    return;
end;
$$ language plpgsql;
