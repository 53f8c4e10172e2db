# The row-capture triggers against upstream's, byte for byte: the trigger
# corpus (test/sql/triggers.sql: every type family under two DateStyle and
# TimeZone settings, NULLs, quoted identifiers, composite and missing keys,
# key and no-op updates, partitions, TRUNCATE, every trigger argument,
# magic columns, replication roles, errors) runs on a cluster with Debian's
# upstream PgQ 3.5 and on one with ours; the whole psql output, events and
# error texts included, must be the same.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Upstream;
use IPC::Run;
use Test::More;

my ($upstream, $why) = upstream_tree();
plan skip_all => $why unless $upstream;

my $corpus = "$ENV{SKYTOOLS_TOP}/ext/pgq/test/sql/triggers.sql";
my %out;
for my $side ('upstream', 'ours')
{
	my $node = PostgreSQL::Test::Cluster->new($side,
		$side eq 'upstream' ? (install_path => $upstream) : ());
	$node->init;
	$node->start;
	$node->safe_psql('postgres', 'create extension pgq');
	my $psql = $node->installed_command('psql');
	IPC::Run::run(
		[ $psql, '-X', '-a', '-d', $node->connstr('postgres'), '-f', $corpus ],
		'>', \$out{$side}, '2>&1');
	$node->stop;
}

# file names differ only in the error prefixes' path, which is the same file
my $same = $out{ours} eq $out{upstream};
ok($same, 'trigger corpus: our output is upstream\'s, byte for byte');
if (!$same)
{
	my $dir = PostgreSQL::Test::Utils::tempdir;
	PostgreSQL::Test::Utils::append_to_file("$dir/upstream.out", $out{upstream});
	PostgreSQL::Test::Utils::append_to_file("$dir/ours.out", $out{ours});
	diag(`diff -u $dir/upstream.out $dir/ours.out | head -200`);
}
cmp_ok(length($out{ours}), '>', 10000, 'the corpus produced output');
unlike($out{ours}, qr/server closed the connection|terminated by signal/,
	'no backend crashed');
done_testing();
