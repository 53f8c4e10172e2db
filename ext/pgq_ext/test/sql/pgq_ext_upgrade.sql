-- pgq_ext: update from every upstream release and from a pre-3.0 table
-- layout (no subconsumer_id).
\set VERBOSITY terse
create extension if not exists pgq;

-- the update scripts from upstream versions exist and run
select source from pg_extension_update_paths('pgq_ext')
 where target = (select default_version from pg_available_extensions
                  where name = 'pgq_ext') and path is not null
 order by 1;

create extension pgq_ext;
select pgq_ext.set_batch_done('old', 41), pgq_ext.set_last_tick('old', 7);
select pgq_ext.set_event_done('old', 41, 1);

-- make the tables look like a pre-3.0 install: no subconsumer_id
alter table pgq_ext.completed_batch drop column subconsumer_id;
alter table pgq_ext.completed_batch add primary key (consumer_id);
alter table pgq_ext.completed_tick drop column subconsumer_id;
alter table pgq_ext.completed_tick add primary key (consumer_id);
alter table pgq_ext.partial_batch drop column subconsumer_id;
alter table pgq_ext.partial_batch add primary key (consumer_id);
alter table pgq_ext.completed_event drop column subconsumer_id;
alter table pgq_ext.completed_event add primary key (consumer_id, batch_id, event_id);

-- the old layout is brought back: 4 columns, 4 defaults
select pgq_ext.upgrade_schema();
select pgq_ext.upgrade_schema();
select conrelid::regclass, pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'pgq_ext'::regnamespace order by 1;
select * from pgq_ext.completed_batch;
select pgq_ext.is_batch_done('old', 41), pgq_ext.get_last_tick('old'),
       pgq_ext.is_event_done('old', 41, 1);

-- a caller without table privileges sees the columns through pg_attribute:
-- nothing to do, no "must be owner" (upstream's information_schema check
-- failed here)
create role ext_upg login in role pgq_writer;
set role ext_upg;
select pgq_ext.upgrade_schema();
reset role;
drop role ext_upg;

-- the update script (all are the same) re-creates every function in
-- place over what is installed: upgrade_schema() has nothing to do, the
-- definers keep their pinned search_path and the data stays
\getenv ext_dir EXT_DIR
\set update_script :ext_dir/pgq_ext--3.3--3.4.sql
\set ECHO none
\i :update_script
\set ECHO all
select pgq_ext.is_batch_done('old', 41), pgq_ext.get_last_tick('old');
select count(*) as definers_pinned from pg_proc
 where pronamespace = 'pgq_ext'::regnamespace and prosecdef
   and proconfig = '{"search_path=pg_catalog, pg_temp"}';
drop extension pgq_ext;
