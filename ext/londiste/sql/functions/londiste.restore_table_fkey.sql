create or replace function londiste.restore_table_fkey(
    i_from_table text,
    i_fkey_name text,
    i_lazy boolean default false)
returns text as $$
-- ----------------------------------------------------------------------
-- Function: londiste.restore_table_fkey(3)
--
--      Put back a foreign key dropped for a copy.  At once: the key is
--      created here and forgotten.  Lazily (the caller runs each
--      statement returned and commits between calls, so that no long lock
--      is held while the key is checked): first the key NOT VALID, then
--      VALIDATE CONSTRAINT, then the key is forgotten.
--
-- Returns:
--      The statement to run next (lazy), or '' when done.
-- ----------------------------------------------------------------------
declare
    fk record;
    con record;
begin
    select * into fk from londiste.pending_fkeys f
     where f.from_table = i_from_table and f.fkey_name = i_fkey_name;
    if not found then
        return '';
    end if;
    if not i_lazy then
        execute fk.fkey_def;
        delete from londiste.pending_fkeys f
         where f.from_table = i_from_table and f.fkey_name = i_fkey_name;
        return '';
    end if;

    select k.convalidated into con from pg_catalog.pg_constraint k
     where k.conrelid = londiste.find_table_oid(i_from_table)
       and k.conname = i_fkey_name and k.contype = 'f';
    if not found then
        return fk.fkey_def || ' not valid';
    elsif not con.convalidated then
        return 'alter table only ' || londiste.quote_fqname(i_from_table)
            || ' validate constraint ' || pg_catalog.quote_ident(i_fkey_name);
    end if;
    delete from londiste.pending_fkeys f
     where f.from_table = i_from_table and f.fkey_name = i_fkey_name;
    return '';
end;
$$ language plpgsql strict;
