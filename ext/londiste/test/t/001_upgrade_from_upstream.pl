# Migration: a subscriber (leaf) and a root made with upstream's londiste
# 3.8 (Debian's postgresql-15-londiste-sql), with tables in every state,
# sequences, a pending foreign key and applied EXECUTE files, are served
# by our build; ALTER EXTENSION ... UPDATE takes pgq, pgq_node and
# londiste to our versions, the state carries over and the API works on
# it: triggers keep firing, a table added before goes on through its copy
# states.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Upstream;
use Test::More;

my ($upstream, $why) = upstream_tree();
plan skip_all => $why unless $upstream;

my $node = PostgreSQL::Test::Cluster->new('londiste_migrate', install_path => $upstream);
$node->init;
$node->start;
sub sql { return $node->safe_psql('postgres', $_[0]); }
plan skip_all => "upstream londiste not in $upstream"
  unless sql(q{select count(*) from pg_available_extensions where name = 'londiste'});

sql(q{
create extension londiste cascade;
select pgq_node.register_location('rq', 'r1', 'dbname=r1', false);
select pgq_node.create_node('rq', 'root', 'r1', 'r1_worker', null, null, null);
select pgq_node.register_location('lq', 'r2', 'dbname=r2', false);
select pgq_node.register_location('lq', 'l2', 'dbname=l2', false);
select pgq_node.create_node('lq', 'leaf', 'l2', 'l2_worker', 'r2', 1, null);

create table src (id int primary key, v text);
create sequence sq;
select londiste.local_add_table('rq', 'src');
select londiste.local_add_seq('rq', 'sq');
select londiste.execute_start('rq', 'one.sql', 'select 1', true, 'x=1');
select londiste.execute_finish('rq', 'one.sql');

create table parent (id int primary key);
create table child (id int primary key, pid int references parent);
create table copying (id int primary key);
create sequence lsq;
select londiste.global_add_table('lq', 'public.parent');
select londiste.global_add_table('lq', 'public.child');
select londiste.global_add_table('lq', 'public.copying');
select londiste.global_add_table('lq', 'public.other');
select londiste.global_update_seq('lq', 'public.lsq', 500);
select londiste.local_add_table('lq', 'parent', array['expect_sync'], 'handler=bulk');
select londiste.local_add_table('lq', 'child', array['expect_sync']);
select londiste.local_add_table('lq', 'copying');
select londiste.local_set_table_state('lq', 'public.copying', '10:20:', 'catching-up');
select londiste.local_add_seq('lq', 'lsq');
select londiste.drop_table_fkey('public.child', 'child_pid_fkey');
});
is(sql(q{select extversion from pg_extension where extname = 'londiste'}), '3.8', 'upstream 3.8 installed');
my $tables = q{select queue_name, table_name, local, merge_state, custom_snapshot, table_attrs
  from londiste.table_info order by 1, 2};
my $seqs = q{select queue_name, seq_name, local, last_value from londiste.seq_info order by 1, 2};
my $triggers = q{select tgrelid::regclass, tgname, pg_get_triggerdef(oid) from pg_trigger
  where not tgisinternal order by 1, 2};
my ($t0, $s0, $g0) = (sql($tables), sql($seqs), sql($triggers));
$node->stop;

switch_install($node, our_tree());
$node->start;
sql('alter extension pgq update');
sql('alter extension pgq_node update');
sql('alter extension londiste update');
is(sql(q{select extversion from pg_extension where extname = 'londiste'}), '3.9', 'updated to our version');
is(sql('select londiste.version()'), '3.9', 'version()');
is(sql($tables), $t0, 'tables, states, snapshots and attributes kept');
is(sql($seqs), $s0, 'sequences kept');
is(sql($triggers), $g0, 'triggers kept');
is(sql(q{select execute_file || ' ' || execute_attrs from londiste.applied_execute}), 'one.sql x=1',
	'applied EXECUTE files kept');
is(sql(q{select fkey_name from londiste.pending_fkeys}), 'child_pid_fkey', 'the pending foreign key kept');
is(sql(q{select count(*) from pg_proc where pronamespace = 'londiste'::regnamespace and prosecdef
  and not coalesce('search_path=pg_catalog, pg_temp' = any (proconfig), false)}), 0,
	'every SECURITY DEFINER function now pins search_path');
is(sql(q{select has_function_privilege('londiste_reader', 'londiste.get_table_list(text)', 'execute')}),
	't', 'grants made anew');
is(sql(q{select array_length(extconfig, 1) from pg_extension where extname = 'londiste'}), 4,
	'four tables still marked for pg_dump');

# the API on the carried-over state
sql(q{insert into src values (1, 'after update')});
is(sql(q{select count(*) from pgq.get_queue_info('rq') where ev_new > 0}), 1,
	'the root trigger still captures');
is(sql(q{select ret_code from londiste.local_set_table_state('lq', 'public.copying', null, 'ok')}), 200,
	'the copy goes on to ok');
is(sql(q{select fkey_name from londiste.get_valid_pending_fkeys('lq')}), 'child_pid_fkey',
	'the foreign key can be restored');
is(sql(q{select londiste.restore_table_fkey('public.child', 'child_pid_fkey')}), '', 'and is');
is(sql(q{select ret_code from londiste.local_remove_table('lq', 'public.parent')}), 200, 'a table removed');
is(sql(q{select count(*) from pg_trigger where tgrelid = 'parent'::regclass and not tgisinternal}), 0,
	'with its triggers');
is(sql(q{select ret_code from londiste.global_update_seq('lq', 'public.lsq', 900)}), 200, 'a sequence updated');
is(sql(q{select last_value from lsq}), 900, 'and moved');

$node->stop;
done_testing();
