# SkyTools::Wait: wait for a condition, never for the clock.
#
# Every wait in the TAP stories is a condition polled until it holds, with
# one upper bound for all: PostgreSQL's $timeout_default (180 s, or
# PG_TEST_TIMEOUT_DEFAULT), the bound poll_query_until uses.  A busy
# machine only makes a story slower, never wrong.
#
# wait_until($what, sub { ... }) calls the sub every 0.1 s until it returns
# a true value and returns that value; on time-out it notes $what and
# returns undef.  wait_for_log($file, $re) waits until the file matches and
# returns its text (or undef).  wait_gone($pid) waits until the process is
# gone.
package SkyTools::Wait;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

our @EXPORT = qw(wait_until wait_for_log wait_gone);

sub wait_until
{
	my ($what, $cond) = @_;
	my $limit = time + $PostgreSQL::Test::Utils::timeout_default;
	while (1)
	{
		my $v = $cond->();
		return $v if $v;
		last if time > $limit;
		usleep(100_000);
	}
	diag("timed out after $PostgreSQL::Test::Utils::timeout_default s waiting for $what");
	return undef;
}

sub wait_for_log
{
	my ($file, $re) = @_;
	my $text;
	return wait_until("$file to match $re",
		sub { $text = -f $file ? slurp_file($file) : ''; $text =~ $re })
	  ? $text
	  : undef;
}

sub wait_gone
{
	my ($pid) = @_;
	return wait_until("process $pid to exit", sub { !kill(0, $pid) });
}

1;
