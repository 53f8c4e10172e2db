# SkyTools::Walmgr: what walmgr's TAP stories share.
#
# wm(ARGS...) runs walmgr (from PATH) and returns (exit status, stdout,
# stderr); a scalar reference as the first argument is its stdin.
# put_file($path, $text) writes a file; get_file($path) reads one whole
# ('' when missing).  wait_or_die($what, $cond): SkyTools::Wait's
# wait_until, the story ended when the condition never holds.  receiver_reaper($pidfile) kills, when the story
# ends, a syncdaemon the story started and did not stop (a story that
# dies midway leaves no receiver behind).
package SkyTools::Walmgr;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use SkyTools::Wait;

our @EXPORT = qw(wm put_file get_file receiver_reaper wait_or_die);

sub wm
{
	my ($out, $err) = ('', '');
	my $in = ref($_[0]) eq 'SCALAR' ? shift : \undef;
	IPC::Run::run([ 'walmgr', @_ ], '<', $in, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub put_file
{
	my ($path, $text) = @_;
	open(my $f, '>', $path) or die "$path: $!";
	print $f $text;
	close($f);
}

sub get_file
{
	open(my $f, '<', $_[0]) or return '';
	binmode $f;
	local $/;
	my $x = <$f>;
	close $f;
	return $x;
}

sub wait_or_die
{
	my ($what, $cond) = @_;
	return wait_until($what, $cond) || die "timed out waiting for $what";
}

my @pidfiles;

sub receiver_reaper
{
	push @pidfiles, @_;
}

END
{
	for my $pf (@pidfiles)
	{
		my $p = get_file($pf);
		kill 'TERM', int($p) if $p =~ /^\d+/;
	}
}

1;
