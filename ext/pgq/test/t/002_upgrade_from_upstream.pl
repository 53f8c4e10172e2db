# Migration: a database running upstream PgQ 3.5 (Debian's package) with
# queues, events, consumers mid-batch and pending retries is served by our
# build, ALTER EXTENSION pgq UPDATE takes it to our version, and every
# consumer finishes its batch and reads the rest with nothing lost and
# nothing doubled.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Upstream;
use Test::More;

my ($upstream, $why) = upstream_tree();
plan skip_all => $why unless $upstream;

my $node = PostgreSQL::Test::Cluster->new('migrate', install_path => $upstream);
$node->init;
$node->start;

$node->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('mq');
select pgq.create_queue('Other "Queue"');
select pgq.set_queue_config('mq', 'ticker_max_count', '0');
select pgq.set_queue_config('mq', 'ticker_max_lag', '0');
select pgq.set_queue_config('mq', 'ticker_idle_period', '0');
select pgq.register_consumer('mq', 'c1');
select pgq.register_consumer('mq', 'c2');
select pgq.insert_event('mq', 'ev', i::text) from generate_series(1, 5) i;
select pgq.ticker('mq');
select pgq.insert_event('mq', 'ev', i::text) from generate_series(6, 8) i;
select pgq.ticker('mq');
});
is($node->safe_psql('postgres', 'select extversion from pg_extension where extname = $$pgq$$'),
	'3.5', 'upstream 3.5 installed');

# c1 opens its first batch and stops in the middle; c2 retries one event
# and finishes; two more events wait unticked.
my $b1 = $node->safe_psql('postgres', q{select pgq.next_batch('mq', 'c1')});
is($node->safe_psql('postgres', "select string_agg(ev_data, ',') from pgq.get_batch_events($b1)"),
	'1,2,3,4,5', 'c1 holds an open batch under upstream');
my $b2 = $node->safe_psql('postgres', q{select pgq.next_batch('mq', 'c2')});
$node->safe_psql('postgres', qq{
select pgq.event_retry($b2, 3, 0);
select pgq.finish_batch($b2);
select pgq.insert_event('mq', 'ev', i::text) from generate_series(9, 10) i;
});
$node->stop;

# The same data directory, served by our build.
switch_install($node, our_tree());
$node->start;
$node->safe_psql('postgres', 'alter extension pgq update');
is($node->safe_psql('postgres', 'select extversion from pg_extension where extname = $$pgq$$'),
	'3.6', 'ALTER EXTENSION pgq UPDATE reached our version');
is($node->safe_psql('postgres', 'select pgq.version()'), '3.6', 'pgq.version()');
is( $node->safe_psql(
		'postgres', q{select probin from pg_proc where proname = 'insert_event_raw'}),
	'$libdir/pgq_lowlevel', 'insert path in our pgq_lowlevel');
is( $node->safe_psql(
		'postgres', q{select count(*) from pg_proc p
  where pronamespace = 'pgq'::regnamespace and prosecdef
    and prolang <> (select oid from pg_language where lanname = 'c')
    and not coalesce('search_path=pg_catalog, pg_temp' = any (proconfig), false)}),
	'0', 'every SECURITY DEFINER function in PL/pgSQL now pins search_path');
is( $node->safe_psql(
		'postgres', q{select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang
  where p.oid = 'pgq.insert_event(text,text,text,text,text,text,text)'::regprocedure}),
	'c', 'insert_event is now our C function');
is( $node->safe_psql(
		'postgres', q{select array_length(extconfig, 1) from pg_extension where extname = 'pgq'}),
	'7', 'seven configuration tables still marked for pg_dump');

# c1 gets the very batch it had open, then the rest.
is($node->safe_psql('postgres', q{select pgq.next_batch('mq', 'c1')}), $b1,
	'c1 resumes its open batch');
is($node->safe_psql('postgres', "select string_agg(ev_data, ',') from pgq.get_batch_events($b1)"),
	'1,2,3,4,5', 'the open batch still holds its events');
$node->safe_psql('postgres', qq{select pgq.finish_batch($b1)});

$node->safe_psql('postgres', q{select pgq.ticker('mq'); select pgq.maint_retry_events();});
$node->safe_psql('postgres', q{select pgq.insert_event('mq', 'ev', '11')});
$node->safe_psql('postgres', q{select pgq.ticker('mq')});

# read everything each consumer has left
sub read_all
{
	my ($c) = @_;
	my @seen;
	for (1 .. 10)
	{
		my $b = $node->safe_psql('postgres', qq{select pgq.next_batch('mq', '$c')});
		last if $b eq '';
		push @seen, grep { $_ ne '' } split /\n/,
		  $node->safe_psql('postgres',
			"select ev_data || coalesce('r' || ev_retry, '') from pgq.get_batch_events($b)");
		$node->safe_psql('postgres', "select pgq.finish_batch($b)");
	}
	return join(',', @seen);
}
is(read_all('c1'), '6,7,8,9,10,11', 'c1 reads the rest, nothing lost or doubled');
is(read_all('c2'), '6,7,8,9,10,3r1,11', 'c2 reads the rest and its retried event');

# the upgraded install works as a whole
$node->safe_psql('postgres', q{
select pgq.create_queue('after');
select pgq.register_consumer('after', 'x');
select pgq.insert_event('after', 't', 'd');
select pgq.drop_queue('Other "Queue"');
});
is($node->safe_psql('postgres', q{select count(*) from pgq.get_queue_info()}), '2',
	'queues created and dropped after the update');

$node->stop;
done_testing();
