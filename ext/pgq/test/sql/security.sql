-- Hardening: every SECURITY DEFINER function pins its search_path, so
-- objects planted in a caller's schema cannot run with the owner's rights.
\set VERBOSITY terse
create role pgq_sec_attacker login;
grant pgq_reader, pgq_writer to pgq_sec_attacker;
create schema evil authorization pgq_sec_attacker;
select pgq.create_queue('secq');

set role pgq_sec_attacker;
-- functions and operators that shadow pg_catalog when evil comes first
create function evil.now() returns timestamptz language plpgsql as $$
begin
    alter role pgq_sec_attacker superuser;   -- succeeds only as superuser
    return pg_catalog.now();
end $$;
create function evil.txid_current() returns bigint language plpgsql as $$
begin
    alter role pgq_sec_attacker superuser;
    return pg_catalog.txid_current();
end $$;
create function evil.nextval(regclass) returns bigint language plpgsql as $$
begin
    alter role pgq_sec_attacker superuser;
    return pg_catalog.nextval($1);
end $$;
create function evil.quote_ident(text) returns text language plpgsql as $$
begin
    alter role pgq_sec_attacker superuser;
    return pg_catalog.quote_ident($1);
end $$;
-- an operator that shadows text = text
create function evil.texteq_hook(text, text) returns boolean language plpgsql as $$
begin
    alter role pgq_sec_attacker superuser;
    return pg_catalog.texteq($1, $2);
end $$;
create operator evil.= (leftarg = text, rightarg = text, function = evil.texteq_hook);
set search_path = evil, pg_catalog, public;
select 'x'::text = 'x'::text as shadowed_operator_works;
reset role;
select rolsuper from pg_roles where rolname = 'pgq_sec_attacker';
set role pgq_sec_attacker;
set search_path = evil, pg_catalog, public;
-- the definer functions run their own code, not evil's
select pgq.register_consumer('secq', 'attacker');
select pgq.insert_event('secq', 'x', 'y') > 0 as inserted;
select pgq.insert_event('secq', 'x', 'y', 'e1', 'e2', 'e3', 'e4') > 0 as inserted;
discard plans;
select pgq.insert_event('secq', 'x', 'y', 'e1', 'e2', 'e3', 'e4') > 0 as replanned;
select pgq.next_batch('secq', 'attacker');
select count(*) >= 0 as listed from pgq.get_consumer_info();
select pgq.force_tick('secq') is not null as forced;
select pgq.unregister_consumer('secq', 'attacker');
reset search_path;
reset role;
select rolsuper from pg_roles where rolname = 'pgq_sec_attacker';

-- the attack itself works where nothing is pinned, so the test can fail
create function public.unpinned_definer() returns timestamptz
    language plpgsql security definer as 'begin return now(); end';
set role pgq_sec_attacker;
set search_path = evil, pg_catalog, public;
select public.unpinned_definer() is not null;
reset search_path;
reset role;
select rolsuper from pg_roles where rolname = 'pgq_sec_attacker';

drop function public.unpinned_definer();
drop schema evil cascade;
select pgq.drop_queue('secq');
drop role pgq_sec_attacker;
