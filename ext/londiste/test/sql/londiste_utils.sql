-- Name helpers, object lookups, column types, replica trigger functions.
\set VERBOSITY terse
set client_min_messages = warning;
create extension if not exists londiste cascade;
reset client_min_messages;

select londiste.make_fqname('t'), londiste.make_fqname('s.t'),
       londiste.make_fqname('a.b.c'), londiste.make_fqname('S.Mixed T'),
       londiste.make_fqname('"q".x'), londiste.make_fqname('');
select londiste.quote_fqname('t'), londiste.quote_fqname('s.t'),
       londiste.quote_fqname('S.Mixed T'), londiste.quote_fqname('a.b.c'),
       londiste.quote_fqname('x.y"z'), londiste.quote_fqname('public.select');
select * from londiste.split_fqname('t');
select * from londiste.split_fqname('s.t');
select * from londiste.split_fqname('a.b.c');
select * from londiste.split_fqname('.t');
select londiste.make_fqname(null), londiste.quote_fqname(null);
select * from londiste.split_fqname(null);

create schema "Sch";
create table "Sch"."Tab le" (a int, "B" text, c bytea, primary key (c, a));
create table plain (id int primary key, v text);
alter table plain add column w int;
alter table plain drop column v;
create table nopk (v text);
create sequence "Sch".seq;
create view v as select 1 as x;

select londiste.find_table_oid('Sch.Tab le') = '"Sch"."Tab le"'::regclass;
select londiste.find_table_oid('plain') = 'plain'::regclass;
select londiste.find_table_oid('public.plain') = 'plain'::regclass;
select londiste.find_table_oid('nosuch') is null;
select londiste.find_table_oid('Sch.seq') is null;
select londiste.find_table_oid('v') is null;
select londiste.find_seq_oid('Sch.seq') = '"Sch".seq'::regclass;
select londiste.find_seq_oid('plain') is null;
select londiste.find_rel_oid('Sch.seq', 'S') = '"Sch".seq'::regclass;
select londiste.find_rel_oid('v', 'v') = 'v'::regclass;
select londiste.find_rel_oid('v', 'r') is null;

select londiste.find_column_types('Sch.Tab le');
select londiste.find_column_types('plain');
select londiste.find_column_types('nopk');
select londiste.find_column_types('nosuch');

select londiste.is_replica_func('pgq.logutriga'::regproc),
       londiste.is_replica_func('pgq.sqltriga'::regproc),
       londiste.is_replica_func('pgq.jsontriga'::regproc),
       londiste.is_replica_func('londiste.table_info_trigger'::regproc),
       londiste.is_replica_func(0);

-- key columns first, then the others, whatever the column order
create table o1 (x int, id int primary key, y int);
create table o2 (x int, a int, y int, b int, primary key (b, a));
select londiste.find_column_types('o1'), londiste.find_column_types('o2');
-- names are taken as they are: no quote parsing, no case folding
select londiste.find_table_oid('PUBLIC.o1') is null, londiste.find_table_oid('"public".o1') is null;
-- partitioned parents and temporary tables are not tables here
create table pt (id int primary key) partition by range (id);
select londiste.find_rel_oid('pt', 'p') = 'pt'::regclass;
-- (find_table_oid of a partitioned table: londiste_ours)
drop table pt;
