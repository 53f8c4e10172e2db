# DROP DATABASE and ALTER DATABASE ... RENAME succeed while pgqd ticks the
# database: its ticker lets go of the connection when such a statement
# waits.  (Upstream's persistent ticker connection made both fail with
# "database is being accessed by other users".)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Pgqd;
use Test::More;
use SkyTools::Wait;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $node = PostgreSQL::Test::Cluster->new('dropdb');
$node->init;
$node->start;
for my $db (qw(dbx dby))
{
	$node->safe_psql('postgres', "create database $db");
	$node->safe_psql($db, q{create extension pgq; select pgq.create_queue('q');
                            select pgq.set_queue_config('q', 'ticker_idle_period', '0.2');
                            select pgq.set_queue_config('q', 'ticker_max_lag', '0.1')});
}
my $dir = PostgreSQL::Test::Utils::tempdir;
my $h = start_pgqd($node, $dir, "initial_database = postgres\nticker_period = 0.1\ncheck_period = 1\n");

for my $db (qw(dbx dby))
{
	ok($node->poll_query_until($db, 'select count(*) > 3 from pgq.tick'), "$db is being ticked");
}

my ($rc, $out, $err) = $node->psql('postgres', 'drop database dbx');
is($rc, 0, 'DROP DATABASE succeeds while pgqd runs') or diag($err);
($rc, $out, $err) = $node->psql('postgres', 'alter database dby rename to dbz');
is($rc, 0, 'ALTER DATABASE ... RENAME succeeds while pgqd runs') or diag($err);

my $ticks = $node->safe_psql('dbz', 'select max(tick_id) from pgq.tick');
ok($node->poll_query_until('dbz', "select max(tick_id) > $ticks + 2 from pgq.tick"),
	'the renamed database is ticked again');
my $log = wait_for_log("$dir/pgqd.log", qr/Unregister database: \[dbx\]/) // '';
like($log, qr/Unregister database: \[dbx\]/, 'the dropped one is unregistered');
like($log, qr/\[dbx\]: a DROP or RENAME of the database waits, releasing it/, 'the release is logged');
stop_pgqd($h);
$node->stop;
done_testing();
