# The man pages (doc/man/*.scd): each renders with scdoc and then with man
# without a warning, and every ini key a program's --ini prints and every
# option its --help names is in its page(s), so pages and programs cannot
# drift apart.  A key is found as *key* (bold) in the page's source, an
# option as *--option* or *-x*.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;

my $top = $ENV{SKYTOOLS_TOP} // die 'SKYTOOLS_TOP is not set';
my $man = "$top/doc/man";
my $out = PostgreSQL::Test::Utils::tempdir;

plan skip_all => 'scdoc or man is not installed'
  unless system('command -v scdoc >/dev/null && command -v man >/dev/null') == 0;

# every page renders, and man has nothing to say about it
my %src;
for my $scd (glob "$man/*.scd")
{
	(my $page = $scd) =~ s{.*/(.*)\.scd$}{$1};
	$src{$page} = slurp_file($scd);
	my $err = `scdoc < $scd 2>&1 > $out/$page`;
	is($?, 0, "$page: scdoc") or diag($err);
	my $warn = `MANWIDTH=80 man --warnings -l $out/$page 2>&1 >/dev/null`;
	is($warn, '', "$page: man --warnings says nothing");
	like(`MANWIDTH=80 man -l $out/$page 2>/dev/null`, qr/^NAME\n/m, "$page: has a NAME section");
}

# program => [its directory, pages with its options, pages with its keys]
my @scripts = qw(queue_mover queue_splitter simple_consumer simple_local_consumer data_maintainer scriptmgr);
my %programs = (
	pgqd => [ 'pgqd', ['pgqd.1'], ['pgqd.1'] ],
	londiste => [ 'londiste', ['londiste.1'], ['londiste.5'] ],
	setadm => [ 'londiste', ['setadm.1'], ['londiste.5'] ],
	walmgr => [ 'walmgr', ['walmgr.1'], ['walmgr.1'] ],
	qadmin => [ 'qadmin', ['qadmin.1'], [] ],
	skytools_upgrade => [ 'scripts', ['skytools_upgrade.1'], [] ],
	map { $_ => [ 'scripts', [ "$_.1", 'skytools-scripts.5' ], [ "$_.1", 'skytools-scripts.5' ] ] } @scripts);

sub in_pages
{
	my ($word, $pages) = @_;
	return grep { index($src{$_}, "*$word*") >= 0 } @$pages;
}

for my $prog (sort keys %programs)
{
	my ($dir, $optpages, $keypages) = @{ $programs{$prog} };
	my $bin = "$top/bin/$dir/$prog";
	ok(defined $src{$_}, "$prog: page $_ exists") for (@$optpages, @$keypages);

	my $help = `$bin --help 2>&1`;
	my %opts = map { $_ => 1 } ($help =~ /(?<![\w-])(--?[A-Za-z][\w-]*)/g);
	ok(keys %opts >= 2, "$prog: --help names options");
	my @missing = grep { !in_pages($_, $optpages) } sort keys %opts;
	is("@missing", '', "$prog: every option of --help is in @$optpages");

	next unless @$keypages;
	my $ini = `$bin --ini 2>&1`;
	is($?, 0, "$prog --ini");
	my %keys = map { $_ => 1 } ($ini =~ /^#?([a-z_][a-z0-9_]*) *=/mg);
	ok(keys %keys >= 8, "$prog: --ini prints keys (" . scalar(keys %keys) . ")");
	@missing = grep { !in_pages($_, $keypages) } sort keys %keys;
	is("@missing", '', "$prog: every key of --ini is in @$keypages");
}

# the check itself finds what is missing
ok(!in_pages('no_such_key', ['pgqd.1']), 'a key not in the page is found missing');

done_testing();
