# SkyTools::Upstream: upstream PgQ beside ours, for TAP tests that compare
# or migrate.
#
# upstream_tree() unpacks Debian's postgresql-15-pgq3 (fetched beforehand
# by scripts/check.sh, or with apt-get download when possible) into a
# private PostgreSQL tree and returns its root (the directory with bin/
# and lib/), or undef and the reason it cannot be had.  our_tree() is the
# private tree holding this project's extensions.  switch_install() points
# an existing (stopped) node at another tree, so one data directory can be
# served by upstream's build and then by ours.
package SkyTools::Upstream;

use strict;
use warnings;
use Exporter 'import';

our @EXPORT = qw(upstream_tree upstream_pgqd our_tree switch_install);

sub our_tree
{
	return $ENV{SKYTOOLS_TREE} // die "SKYTOOLS_TREE is not set";
}

sub upstream_tree
{
	my $top = $ENV{SKYTOOLS_TOP} or return (undef, 'SKYTOOLS_TOP is not set');
	my $out = `"$top/scripts/upstream-install.sh" "$top/tmp_upstream" 2>&1`;
	return (undef, "upstream PgQ unavailable: $out") if $? != 0;
	my @lines = split /\n/, $out;
	return ($lines[-1], undef);
}

# upstream's pgqd binary (Debian's package), or undef and the reason
sub upstream_pgqd
{
	my ($tree, $why) = upstream_tree();
	return (undef, $why) unless $tree;
	my $top = $ENV{SKYTOOLS_TOP};
	my $bin = "$top/tmp_upstream/usr/bin/pgqd";
	return -x $bin ? ($bin, undef) : (undef, "upstream pgqd not unpacked at $bin");
}

sub switch_install
{
	my ($node, $path) = @_;
	$node->{_install_path} = $path;
	return;
}

1;
