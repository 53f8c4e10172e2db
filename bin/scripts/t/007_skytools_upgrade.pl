# skytools_upgrade on a cluster made by upstream's build (Debian's pgq
# 3.5, pgq_node, londiste 3.8, and pgq_coop / pgq_ext where the packages
# have them) and then served by ours: the databases named (and with
# --all, every one) are taken to our versions in one transaction each,
# saying what changed; the queue keeps its events; the second time it is
# a no-op.  --not-really only says.  An unknown database is an error that
# does not stop the others.  Skips when upstream's packages cannot be had.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Scripts;
use SkyTools::Upstream;

my $prog = "$ENV{SKYTOOLS_TOP}/bin/scripts/skytools_upgrade";
my ($upstream, $why) = upstream_tree();
plan skip_all => $why unless $upstream;

my $node = PostgreSQL::Test::Cluster->new('up', install_path => $upstream);
$node->init;
$node->start;
my @avail = split /\n/, $node->safe_psql('postgres', q{
select name from pg_available_extensions
 where name in ('pgq', 'pgq_ext', 'pgq_coop', 'pgq_node', 'londiste') order by 1});
ok(scalar(grep { $_ eq 'pgq' } @avail), "upstream's extensions: @avail");
for my $db (qw(one two three))
{
	$node->safe_psql('postgres', "create database $db");
	$node->safe_psql($db, "create extension if not exists $_ cascade") for @avail;
}
$node->safe_psql('one', q{
select pgq.create_queue('q');
select pgq.register_consumer('q', 'c');
select pgq.insert_event('q', 'before', 'upgrade');
});
my %up = map { split /\|/ } split /\n/,
  $node->safe_psql('one', 'select extname, extversion from pg_extension');
$node->stop;

# served by our build now
switch_install($node, our_tree());
$node->start;
my $host = $node->host;
my $port = $node->port;
my %ours = map { split /\|/ } split /\n/, $node->safe_psql('postgres', q{
select name, default_version from pg_available_extensions
 where name in ('pgq', 'pgq_ext', 'pgq_coop', 'pgq_node', 'londiste')});

my ($rc, $out, $err) = run_script($prog, '--host', $host, '--port', $port,
	'--not-really', 'three');
is($rc, 0, '--not-really') or diag($err);
like($out, qr/^three: pgq $up{pgq} -> $ours{pgq}.* \(not really\)$/m, '--not-really says what it would do');
is($node->safe_psql('three', q{select extversion from pg_extension where extname = 'pgq'}),
	$up{pgq}, '--not-really changes nothing');

($rc, $out, $err) = run_script($prog, '--host', $host, '--port', $port, 'one',
	"host=$host port=$port dbname=two password=secret", 'nosuchdb');
is($rc, 1, 'an unknown database: exit 1');
like($err, qr/nosuchdb: cannot connect: .*does not exist/, 'the unknown database said');
unlike("$out$err", qr/secret/, 'a connect string is not shown');
for my $db ('one', 'two')
{
	my $line = join(', ', map { "$_ $up{$_} -> $ours{$_}" }
		  grep { exists $up{$_} && $up{$_} ne $ours{$_} } qw(pgq pgq_ext pgq_coop pgq_node londiste));
	like($out, qr/^\Q$db: $line\E$/m, "$db: what changed, in order");
	is($node->safe_psql($db, q{
select count(*) from pg_extension e join pg_available_extensions a on a.name = e.extname
 where e.extname in ('pgq', 'pgq_ext', 'pgq_coop', 'pgq_node', 'londiste')
   and e.extversion <> a.default_version}), '0', "$db: every extension at our version");
}

# the queue lives on
$node->safe_psql('one', q{select pgq.ticker('q')});
is($node->safe_psql('one', q{
select ev_type || ':' || ev_data from pgq.get_batch_events(pgq.next_batch('q', 'c'))}),
	'before:upgrade', 'the event from before the upgrade is read after it');

# the second time: nothing to do; --all takes the rest
($rc, $out, $err) = run_script($prog, '--host', $host, '--port', $port, '--all');
is($rc, 0, '--all') or diag($err);
like($out, qr/^one: nothing to do$/m, 'one: nothing to do the second time');
like($out, qr/^two: nothing to do$/m, 'two: nothing to do the second time');
like($out, qr/^three: pgq $up{pgq} -> $ours{pgq}/m, '--all: three upgraded');
like($out, qr/^postgres: nothing to do$/m, '--all: a database without them');
($rc, $out, $err) = run_script($prog, '--host', $host, '--port', $port, '--all', '-v');
is(() = $out =~ /nothing to do/g, 4, 'a third time: nothing anywhere');
like($out, qr/^one: pgq $ours{pgq} is up to date$/m, '-v says what is up to date');

($rc, $out, $err) = run_script($prog);
is($rc, 1, 'no database named: exit 1');
like($err, qr/name the databases or give --all/, 'no database named: said');

$node->stop;
done_testing();
