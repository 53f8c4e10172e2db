# SkyTools::Pgqd: run a pgqd against a test cluster.
#
# start_pgqd($node, $dir, $extra, %opt) writes $dir/pgqd.ini (connect
# string of $node, log in $dir/pgqd.log, no syslog, plus the ini lines in
# $extra) and starts the daemon ($opt{binary}, default our pgqd in PATH)
# with its output in files: a pipe nobody reads would fill and stop it.
# Returns the IPC::Run harness; stop_pgqd($h) sends SIGINT and waits.
package SkyTools::Pgqd;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;

our @EXPORT = qw(start_pgqd stop_pgqd pgqd_pid);

sub start_pgqd
{
	my ($node, $dir, $extra, %opt) = @_;
	my ($host, $port) = ($node->host, $node->port);
	open my $fh, '>', "$dir/pgqd.ini" or die "$dir/pgqd.ini: $!";
	print $fh "[pgqd]\nbase_connstr = host=$host port=$port\n"
	  . "logfile = $dir/pgqd.log\nsyslog = 0\n$extra";
	close $fh;
	my @args = @{ $opt{args} // [] };
	return IPC::Run::start([ $opt{binary} // 'pgqd', @args, "$dir/pgqd.ini" ],
		'>', "$dir/stdout", '2>', "$dir/stderr");
}

sub pgqd_pid
{
	my ($h) = @_;
	return $h->{KIDS}[0]{PID};
}

sub stop_pgqd
{
	my ($h) = @_;
	kill 'INT', pgqd_pid($h);
	$h->finish;
	return $h->result(0);
}

1;
