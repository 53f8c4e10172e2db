-- Row-capture triggers: the corpus.  The same file runs in the TAP suite
-- against upstream PgQ 3.5 and ours, whose outputs must be identical byte
-- for byte; here it checks ours against the reviewed expected output.
\set VERBOSITY terse
set client_min_messages = warning;
select pgq.create_queue('trg') as created \gset
select queue_data_pfx as evtbl from pgq.queue where queue_name = 'trg' \gset
create table shown (last bigint);
insert into shown values (0);
-- print the events queued since the last call
create function show_events() returns table (ev_id bigint, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
language plpgsql as $$
declare lst bigint;
begin
    select last into lst from shown;
    return query execute format('select ev_id, ev_type, ev_data, ev_extra1, ev_extra2,'
        || ' ev_extra3, ev_extra4 from %s where ev_id > %s order by ev_id',
        (select queue_data_pfx from pgq.queue where queue_name = 'trg'), lst);
    update shown set last = (select coalesce(max(e.ev_id), lst) from pgq.event_template e
        where false);
    execute format('update shown set last = coalesce((select max(ev_id) from %s), 0)',
        (select queue_data_pfx from pgq.queue where queue_name = 'trg'));
end $$;
\pset format unaligned
\pset null '<NULL>'

-- 1. every built-in type family, NULLs everywhere, three formats
create domain posint as int check (value > 0);
create type mood as enum ('sad', 'ok', 'happy');
create type pair as (a int, b text);
create table types_t (
    id int primary key, t text, b bytea, bo bool, n numeric, f4 real,
    f8 float8, i2 int2, i4 int4, i8 int8, d date, tm time, tmz timetz,
    ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
    ai int[], at text[], atstz timestamptz[], dm posint, en mood, cp pair,
    ch char(3), vc varchar(10), ip inet, bits bit varying(8));
create trigger tl after insert or update or delete on types_t
    for each row execute procedure pgq.logutriga('trg');
create trigger ts after insert or update or delete on types_t
    for each row execute procedure pgq.sqltriga('trg');
create trigger tj after insert or update or delete on types_t
    for each row execute procedure pgq.jsontriga('trg');

set datestyle = 'ISO, MDY';
set timezone = 'UTC';
set extra_float_digits = 1;
insert into types_t values (1, 'quote '' backslash \ nl
tab	end ünï €', '\x00ff27', true, 123.4500, 1.5, -2.25e-10, 32767, 2147483647,
    9223372036854775807, '2020-02-29', '23:59:59.5', '12:00:00+02',
    '2009-09-19 11:59:48.599', '2009-09-19 11:59:48.599+00', '1 day 02:03:04',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, "x\"y"]}', '{"b": null, "a": 1}',
    '{1,NULL,3}', '{"x y","q\"z",NULL}', '{"2000-01-01 00:00:00+00"}', 5, 'ok', '(1,"x, y")',
    'ab', 'v''c', '10.0.0.1/8', B'1010');
insert into types_t values (2, null, null, false, 'NaN', 'Infinity', '-Infinity', -32768,
    -2147483648, -9223372036854775808, 'infinity', '00:00', null, '-infinity', 'infinity',
    '-1 mon', null, 'null', '[]', '{}', '{}', null, null, null, '(,)', null, '', null, null);
insert into types_t (id) values (3);
select * from show_events();

set datestyle = 'SQL, DMY';
set timezone = 'America/New_York';
set extra_float_digits = 0;
insert into types_t values (4, 'dmy', '\x41', null, 0.1, 0.1, 0.1, 0, 0, 0, '2001-02-03',
    '01:02:03', '01:02:03-05', '2001-02-03 04:05:06.789', '2001-02-03 04:05:06.789+00',
    '-1 year 2 days', null, '1', '"s"', '{-1}', '{"é"}', '{"2001-02-03 04:05:06+00"}',
    1, 'sad', null, 'x', 'y', '::1', B'');
update types_t set t = 'changed', ts = '1999-12-31 23:59:59' where id = 4;
delete from types_t where id = 4;
select * from show_events();
reset datestyle;
reset timezone;
reset extra_float_digits;

-- 2. identifiers that need quotes, keys of several columns, no key
create table "Select" ("Mixed Case" int, "with space" text, "order" text,
    "a""quote" text, plain int, primary key ("order", "Mixed Case"));
create trigger tl after insert or update or delete on "Select"
    for each row execute procedure pgq.logutriga('trg');
create trigger ts after insert or update or delete on "Select"
    for each row execute procedure pgq.sqltriga('trg');
create trigger tj after insert or update or delete on "Select"
    for each row execute procedure pgq.jsontriga('trg');
insert into "Select" values (1, 'a b', 'k1', 'q"q', null);
update "Select" set plain = 5;
update "Select" set plain = 5;                    -- changes nothing
update "Select" set "with space" = null, plain = null;
update "Select" set "order" = 'k2';               -- key change
delete from "Select";
select * from show_events();

create table nokey (a int, b text);
create trigger tl after insert or update or delete on nokey
    for each row execute procedure pgq.logutriga('trg');
create trigger tj after insert on nokey
    for each row execute procedure pgq.jsontriga('trg');
create trigger ts after insert on nokey
    for each row execute procedure pgq.sqltriga('trg');
insert into nokey values (1, 'x');
update nokey set b = 'y';
delete from nokey;
select * from show_events();

-- 3. partitioned tables: the trigger on the parent fires per partition
create table parted (id int, region text, v text, primary key (id, region))
    partition by list (region);
create table parted_eu partition of parted for values in ('eu');
create table parted_us partition of parted for values in ('us');
create trigger tl after insert or update or delete on parted
    for each row execute procedure pgq.logutriga('trg');
create trigger tj after insert or update or delete on parted
    for each row execute procedure pgq.jsontriga('trg');
insert into parted values (1, 'eu', 'a'), (2, 'us', 'b');
update parted set v = 'c' where id = 2;
delete from parted where id = 1;
select * from show_events();

-- 4. TRUNCATE
create table trunc_t (id int primary key, v text);
create trigger tl after truncate on trunc_t
    for each statement execute procedure pgq.logutriga('trg');
create trigger ts after truncate on trunc_t
    for each statement execute procedure pgq.sqltriga('trg');
create trigger tj after truncate on trunc_t
    for each statement execute procedure pgq.jsontriga('trg');
truncate trunc_t;
select * from show_events();
create trigger bad after truncate on trunc_t
    for each statement execute procedure pgq.logutriga('trg', 'ignore=v');
truncate trunc_t;
drop trigger bad on trunc_t;
create trigger bad after truncate on trunc_t
    for each statement execute procedure pgq.logutriga('trg', 'pkey=v');
truncate trunc_t;
drop trigger bad on trunc_t;
create trigger bad after truncate on trunc_t
    for each statement execute procedure pgq.logutriga('trg', 'backup');
truncate trunc_t;
drop trigger bad on trunc_t;
create trigger bad after truncate on trunc_t
    for each statement execute procedure pgq.logutriga('trg', 'ev_extra3=1');
truncate trunc_t;
drop trigger bad on trunc_t;
create trigger bad after insert on trunc_t
    for each statement execute procedure pgq.logutriga('trg');
insert into trunc_t values (1, 'x');
drop trigger bad on trunc_t;
select * from show_events();

-- 5. arguments
create table args_t (id int primary key, dat text, cnt int, noise text);
create trigger t_skip before insert or update or delete on args_t
    for each row execute procedure pgq.logutriga('trg', 'SKIP');
insert into args_t values (1, 'skipped', 1, 'n');
select count(*) as rows_kept from args_t;
drop trigger t_skip on args_t;
create trigger t_skip after insert on args_t
    for each row execute procedure pgq.logutriga('trg', 'SKIP');
insert into args_t values (1, 'x', 1, 'n');
drop trigger t_skip on args_t;
create trigger t_bad after insert on args_t
    for each row execute procedure pgq.logutriga('trg', 'skip');
insert into args_t values (1, 'x', 1, 'n');
drop trigger t_bad on args_t;
create trigger t_bad after insert on args_t
    for each row execute procedure pgq.logutriga('trg', 'nonsense=1');
insert into args_t values (1, 'x', 1, 'n');
drop trigger t_bad on args_t;
-- colname= is not an argument of PgQ 3.5 either
create trigger t_bad after insert on args_t
    for each row execute procedure pgq.sqltriga('trg', 'colname=dat');
insert into args_t values (1, 'x', 1, 'n');
drop trigger t_bad on args_t;
create trigger t_bad after insert on args_t
    for each row execute procedure pgq.logutriga();
insert into args_t values (1, 'x', 1, 'n');
drop trigger t_bad on args_t;
select * from show_events();

create trigger tl after insert or update or delete on args_t
    for each row execute procedure pgq.logutriga('trg', 'ignore=noise, cnt', 'backup');
create trigger ts after insert or update or delete on args_t
    for each row execute procedure pgq.sqltriga('trg', 'ignore=noise', 'backup');
create trigger tj after insert or update or delete on args_t
    for each row execute procedure pgq.jsontriga('trg', 'ignore=noise', 'backup');
insert into args_t values (1, 'x', 1, 'n');
update args_t set noise = 'only ignored';
update args_t set cnt = 2;
update args_t set dat = 'y', noise = 'both';
update args_t set dat = dat;
delete from args_t;
select * from show_events();
drop trigger tl on args_t;
drop trigger ts on args_t;
drop trigger tj on args_t;

create trigger tl after insert or update or delete on args_t
    for each row execute procedure pgq.logutriga('trg', 'pkey=dat, id');
create trigger ts after insert or update or delete on args_t
    for each row execute procedure pgq.sqltriga('trg', 'pkey=dat');
create trigger tj after insert or update or delete on args_t
    for each row execute procedure pgq.jsontriga('trg', 'pkey=dat,cnt');
insert into args_t values (1, 'k', 1, 'n');
update args_t set noise = 'z';
update args_t set id = 2;
update args_t set dat = 'k2';
delete from args_t;
select * from show_events();
drop trigger tl on args_t;
drop trigger ts on args_t;
drop trigger tj on args_t;

create trigger tx after insert or update or delete on args_t
    for each row execute procedure pgq.logutriga('trg',
        'ev_type=''custom:'' || id', 'ev_data=dat || $$!$$',
        'ev_extra1=(cnt + 3)::text', 'ev_extra2=dat||noise', 'ev_extra3=$$333$$',
        'ev_extra4=null', 'when=dat <> ''skip me''');
insert into args_t values (1, 'a', 1, 'n');
insert into args_t values (2, 'skip me', 2, 'n');
update args_t set cnt = 10 where id = 1;
delete from args_t where id = 1;
select * from show_events();
drop trigger tx on args_t;
delete from args_t;

create trigger tx after insert on args_t
    for each row execute procedure pgq.sqltriga('trg', 'when=cnt');
insert into args_t values (1, 'a', 1, 'n');
drop trigger tx on args_t;
create trigger tx after insert on args_t
    for each row execute procedure pgq.sqltriga('trg', 'when=cnt > null');
insert into args_t values (1, 'a', 1, 'n');
drop trigger tx on args_t;
create trigger tx after insert on args_t
    for each row execute procedure pgq.sqltriga('trg', 'ev_extra3=''unterminated');
insert into args_t values (1, 'a', 1, 'n');
drop trigger tx on args_t;
create trigger tx after insert on args_t
    for each row execute procedure pgq.jsontriga('trg', 'ev_extra3=dat || /* a /* nested */ c */ noise -- x
', 'ev_extra4=E''\\'' || dat || x''41''::text || 1.5e3::text',
    'when=pg_catalog.upper(dat) is null or dat <> $q$a$q$');
insert into args_t values (1, 'a', 1, 'n');
insert into args_t values (2, 'b', 2, 'n');
drop trigger tx on args_t;
create trigger tx after insert on args_t
    for each row execute procedure pgq.logutriga('trg', 'deny');
insert into args_t values (3, 'c', 3, 'n');
drop trigger tx on args_t;
select * from show_events();
delete from args_t;

-- 6. magic columns
create table magic_t (id int primary key, v text, _pgq_ev_type text,
    _pgq_ev_extra2 text, _pgq_ev_extra4 text);
create trigger tl after insert or update or delete on magic_t
    for each row execute procedure pgq.logutriga('trg');
create trigger ts after insert or update or delete on magic_t
    for each row execute procedure pgq.sqltriga('trg');
create trigger tj after insert or update or delete on magic_t
    for each row execute procedure pgq.jsontriga('trg', 'ev_extra4=''expr wins''');
insert into magic_t values (1, 'v', 'my type', 'x2', null);
update magic_t set _pgq_ev_extra2 = 'only magic';
update magic_t set v = 'w';
delete from magic_t;
select * from show_events();
alter table magic_t add column _pgq_ev_other text;
insert into magic_t values (1, 'v', 't', 'x', 'y', 'z');
alter table magic_t drop column _pgq_ev_other;
alter table magic_t drop column _pgq_ev_extra4;
insert into magic_t values (2, 'after drop', 't2', 'x2');
select * from show_events();

-- 7. replication roles, a disabled queue, a replaced pgq.insert_event
create table role_t (id int primary key, v text);
create trigger tl before insert on role_t
    for each row execute procedure pgq.logutriga('trg', 'SKIP');
create trigger tr after insert on role_t
    for each row execute procedure pgq.logutriga('trg');
alter table role_t enable always trigger tr;
set session_replication_role = local;
insert into role_t values (1, 'local: no events, row kept');
set session_replication_role = replica;
insert into role_t values (2, 'replica: only the ALWAYS trigger');
reset session_replication_role;
select id, v from role_t order by id;
select * from show_events();
update pgq.queue set queue_disable_insert = true where queue_name = 'trg';
insert into role_t values (3, 'disabled');
update pgq.queue set queue_disable_insert = false where queue_name = 'trg';
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
begin
    raise warning 'insert_event(%, %, %, %, %, %, %)', queue_name, ev_type,
        ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4;
    return 0;
end $$ language plpgsql;
insert into role_t values (4, 'replaced');
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint as $$
begin
    return pgq.insert_event_raw(queue_name, null, now(), null, null,
                                ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4);
end $$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
insert into role_t values (5, 'restored');
select * from show_events();

-- 8. the table changes under the cached trigger state
alter table role_t add column extra int default 7;
insert into role_t values (6, 'new column');
alter table role_t drop column extra;
alter table role_t drop constraint role_t_pkey;
alter table role_t add primary key (v, id);
insert into role_t values (7, 'new key');
select * from show_events();

-- 9. the 2.x logtriga (no SQL declaration in 3.x; old databases keep one)
create function pgq.logtriga() returns trigger
    as '$libdir/pgq_triggers', 'pgq_logtriga' language c;
create table legacy_t (id int, v text, skipme text, tail text);
create trigger tl after insert or update or delete on legacy_t
    for each row execute procedure pgq.logtriga('trg', 'kvi');
insert into legacy_t values (1, 'a', 'b', 'c');
update legacy_t set v = 'b';
update legacy_t set skipme = 'z';
delete from legacy_t;
drop trigger tl on legacy_t;
create trigger tl after insert on legacy_t
    for each row execute procedure pgq.logtriga('trg', 'vvv');
insert into legacy_t values (1, 'a', 'b', 'c');
drop trigger tl on legacy_t;
create trigger tl after insert on legacy_t
    for each row execute procedure pgq.logtriga('trg', 'vvvvk');
insert into legacy_t values (1, 'a', 'b', 'c');
drop trigger tl on legacy_t;
create trigger tl after insert on legacy_t
    for each row execute procedure pgq.logtriga('trg');
insert into legacy_t values (1, 'a', 'b', 'c');
drop trigger tl on legacy_t;
create trigger tl before insert on legacy_t
    for each row execute procedure pgq.logtriga('trg', 'k');
insert into legacy_t values (1, 'a', 'b', 'c');
drop trigger tl on legacy_t;
select * from show_events();
drop function pgq.logtriga();
