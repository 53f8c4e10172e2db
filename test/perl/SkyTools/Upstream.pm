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

our @EXPORT = qw(upstream_tree upstream_pgqd our_tree switch_install python_londiste);

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

# Upstream's Python Londiste (Debian's python3-londiste, python3-pgq and
# python3-skytools, fetched by scripts/check.sh into tmp_upstream.debs/py
# or with apt-get download when possible), unpacked into $dir.  Returns a
# command prefix (an array ref: the interpreter and the script, to which
# the ini file and the command are appended) and the PYTHONPATH it needs,
# or undef and the reason it cannot be had.
sub python_londiste
{
	my ($dir) = @_;
	my $top = $ENV{SKYTOOLS_TOP} or return (undef, 'SKYTOOLS_TOP is not set');
	my $debs = "$top/tmp_upstream.debs/py";
	my @debs = glob("$debs/*.deb");
	if (@debs < 3)
	{
		system("mkdir -p '$dir/debs' && cd '$dir/debs' && "
			  . "apt-get download python3-pgq python3-skytools python3-londiste >/dev/null 2>&1");
		@debs = glob("$dir/debs/*.deb");
		return (undef, 'python3-londiste cannot be fetched') if @debs < 3;
	}
	for my $d (@debs)
	{
		system('dpkg', '-x', $d, "$dir/py") == 0
		  or return (undef, "cannot unpack $d");
	}
	my $path = "$dir/py/usr/lib/python3/dist-packages";
	my $script = "$dir/py/usr/bin/londiste";
	return (undef, 'python3-londiste has no londiste script') unless -f $script;
	my $check = `PYTHONPATH='$path' python3 -c 'import londiste, pgq, skytools, psycopg2, yaml' 2>&1`;
	return (undef, "Python Londiste cannot run here: $check") if $? != 0;
	return ([ 'python3', $script ], $path);
}

sub switch_install
{
	my ($node, $path) = @_;
	$node->{_install_path} = $path;
	return;
}

1;
