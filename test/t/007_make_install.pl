# 'make install' with PREFIX, DESTDIR and PG_CONFIG: the programs (with
# their Skytools 3 names), the library, headers and pkg-config file, the
# man pages, the docs and the systemd units land under DESTDIR/PREFIX, the
# units name the programs there, and the extensions go where PG_CONFIG's
# server looks (here the private tree's pg_config, which describes that
# tree), under DESTDIR: nothing anywhere else.
use strict;
use warnings;
use File::Find;
use PostgreSQL::Test::Utils;
use Test::More;

my $top = $ENV{SKYTOOLS_TOP} // die 'SKYTOOLS_TOP is not set';
my $tree = $ENV{SKYTOOLS_TREE} // die 'SKYTOOLS_TREE is not set';
my $dest = PostgreSQL::Test::Utils::tempdir;
my $prefix = '/opt/skytools';
my $pg_config = "$tree/bin/pg_config";

# a copy of the built tree (times kept, so nothing is rebuilt; the same
# sanitizer flags as its build), installed from
my $src = PostgreSQL::Test::Utils::tempdir;
system("cd $top && tar --exclude='./tmp_*' --exclude=./.git -cf - . | tar -C $src -xf -") == 0 or die 'copy';
my $flags = slurp_file("$src/lib/.build-flags") =~ /\S/ ? 'SANITIZE=1' : '';
my $log = "$src/install.log";
is(system("make -s -C $src install $flags PREFIX=$prefix DESTDIR=$dest PG_CONFIG=$pg_config >$log 2>&1"),
	0, 'make install PREFIX DESTDIR PG_CONFIG') or diag(slurp_file($log));

my $p = "$dest$prefix";
for my $prog (qw(pgqd londiste setadm walmgr qadmin queue_mover queue_splitter simple_consumer
	simple_local_consumer data_maintainer scriptmgr skytools_upgrade))
{
	ok(-x "$p/bin/$prog", "bin/$prog");
}
for my $alias (qw(londiste3 setadm3 walmgr3 queue_mover3 data_maintainer3 scriptmgr3 skytools_upgrade3))
{
	ok(-l "$p/bin/$alias" && -x "$p/bin/$alias", "bin/$alias, the Skytools 3 name, a link");
}
ok(-f "$p/lib/libskytools.so.0" && -l "$p/lib/libskytools.so" && -f "$p/lib/libskytools.a", 'the library');
like(slurp_file("$p/lib/pkgconfig/skytools.pc"), qr/^prefix=\Q$prefix\E$/m, 'skytools.pc names the prefix');
ok(-f "$p/include/skytools/consumer.h" && -f "$p/include/skytools/londiste-handler.h", 'the headers');
for my $page (qw(man1/pgqd.1 man1/londiste.1 man5/londiste.5 man1/walmgr.1 man1/qadmin.1 man3/skytools.3
	man7/pgq.7 man5/skytools-scripts.5 man1/queue_mover.1))
{
	ok(-f "$p/share/man/$page", "man page $page");
}
ok(-l "$p/share/man/man1/londiste3.1", 'londiste3.1 links to londiste.1');
ok(-f "$p/share/doc/skytools/README.md" && -f "$p/share/doc/skytools/examples/simple_consumer.c",
	'the docs and the examples');
my $unit = slurp_file("$p/lib/systemd/system/pgqd.service");
like($unit, qr{^ExecStart=\Q$prefix\E/bin/pgqd \Q$prefix\E/etc/pgqd\.ini$}m, 'pgqd.service runs the installed pgqd');
like(slurp_file("$p/lib/systemd/system/londiste\@.service"),
	qr{^ExecStart=\Q$prefix\E/bin/londiste \Q$prefix\E/etc/londiste/%i\.ini worker$}m,
	'londiste@.service: one worker per ini');
ok(-f "$p/lib/systemd/system/walmgr-syncdaemon\@.service", 'walmgr-syncdaemon@.service');

my $share = `$pg_config --sharedir`;
my $pkglib = `$pg_config --pkglibdir`;
chomp($share, $pkglib);
for my $ext (qw(pgq pgq_coop pgq_ext pgq_node londiste))
{
	ok(-f "$dest$share/extension/$ext.control", "extension $ext where PG_CONFIG's server looks");
}
ok(-f "$dest$pkglib/pgq_triggers.so", 'pgq_triggers.so in its pkglibdir');

# nothing outside those places
my @stray;
find(sub {
		return unless -f $_ || -l $_;
		my $f = substr($File::Find::name, length($dest));
		push @stray, $f unless $f =~ m{^(\Q$prefix\E|\Q$share\E|\Q$pkglib\E)/};
	}, $dest);
is("@stray", '', 'no file outside PREFIX and the server\'s directories');

done_testing();
