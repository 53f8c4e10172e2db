# Migration: a root node made with upstream's pgq_node 3.5 (Debian's
# package), with a subscriber and a cascaded consumer, is served by our
# build; ALTER EXTENSION ... UPDATE takes pgq and pgq_node to our
# versions and the node's state and API carry on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Upstream;
use Test::More;

my ($upstream, $why) = upstream_tree();
plan skip_all => $why unless $upstream;

my $node = PostgreSQL::Test::Cluster->new('node_migrate', install_path => $upstream);
$node->init;
$node->start;
sub sql { return $node->safe_psql('postgres', $_[0]); }
plan skip_all => "upstream pgq_node not in $upstream"
  unless sql(q{select count(*) from pg_available_extensions where name = 'pgq_node'});

sql(q{
create extension pgq_node cascade;
select pgq_node.register_location('mq', 'n1', 'dbname=n1', false);
select pgq_node.register_location('mq', 'n2', 'dbname=n2', false);
select pgq_node.create_node('mq', 'root', 'n1', 'w1', null, null, null);
select pgq_node.register_subscriber('mq', 'n2', 'w2', null);
select pgq_node.register_consumer('mq', 'c1', 'n1', 1);
select pgq_node.set_consumer_paused('mq', 'c1', true);
select pgq_node.set_node_attrs('mq', 'sync_watermark=n2');
});
is(sql(q{select extversion from pg_extension where extname = 'pgq_node'}), '3.5', 'upstream 3.5 installed');
my $info_before = sql(q{select node_type, node_name, global_watermark, provider_node, worker_name, node_attrs
  from pgq_node.get_node_info('mq')});
$node->stop;

switch_install($node, our_tree());
$node->start;
sql('alter extension pgq update');
sql('alter extension pgq_node update');
is(sql(q{select extversion from pg_extension where extname = 'pgq_node'}), '3.6', 'updated to our version');
is(sql('select pgq_node.version()'), '3.6', 'version()');
is(sql(q{select node_type, node_name, global_watermark, provider_node, worker_name, node_attrs
  from pgq_node.get_node_info('mq')}), $info_before, 'get_node_info answers as before');
is(sql(q{select node_name, worker_name, node_watermark from pgq_node.get_subscriber_info('mq')}),
	'n2|w2|1', 'the subscriber is kept');
is(sql(q{select paused from pgq_node.get_consumer_state('mq', 'c1')}), 't', 'the consumer state is kept');
is(sql(q{select count(*) from pg_proc where pronamespace = 'pgq_node'::regnamespace and prosecdef
  and not coalesce('search_path=pg_catalog, pg_temp' = any (proconfig), false)}), 0,
	'every SECURITY DEFINER function now pins search_path');
is(sql(q{select has_function_privilege('pgq_reader', 'pgq_node.get_node_info(text)', 'execute')}), 't',
	're-created get_node_info keeps its grant');
is(sql(q{select array_length(extconfig, 1) from pg_extension where extname = 'pgq_node'}), 4,
	'four tables still marked for pg_dump');
is(sql(q{select ret_note from pgq_node.promote_branch('mq')}), 'Node not branch', 'the API works');

$node->stop;
done_testing();
