-- pgq_coop: update paths from upstream releases; the update script runs
-- over an installed version and keeps a sub-consumer's open batch.
\set VERBOSITY terse
select source from pg_extension_update_paths('pgq_coop')
 where target = (select default_version from pg_available_extensions
                  where name = 'pgq_coop') and path is not null
 order by 1;

select pgq.create_queue('uq');
select pgq.set_queue_config('uq', 'ticker_max_count', '0');
select pgq.set_queue_config('uq', 'ticker_max_lag', '0');
select pgq_coop.register_subconsumer('uq', 'uc', 'a');
select pgq.insert_event('uq', 'ev', 'kept');
select pgq.ticker('uq') > 0 as ticked;
select pgq_coop.next_batch('uq', 'uc', 'a') as ub \gset

\getenv ext_dir EXT_DIR
\set update_script :ext_dir/pgq_coop--3.4--3.5.sql
\set ECHO none
\i :update_script
\set ECHO all
select pgq_coop.next_batch('uq', 'uc', 'a') = :ub as same_batch;
select ev_data from pgq.get_batch_events(:ub);
select pgq_coop.finish_batch(:ub);
select count(*) as definers_pinned from pg_proc
 where pronamespace = 'pgq_coop'::regnamespace and prosecdef
   and proconfig = '{"search_path=pg_catalog, pg_temp"}';
