# SkyTools::Consumer: run examples/simple_consumer (the C consumer library's
# example) against test clusters.
#
# consumer_bin() is its path; conninfo($node, $db) a connect string;
# run_consumer(@args) runs it to the end and returns (exit code, stdout,
# stderr); start_consumer($dir, $name, @args) starts it with its output in
# $dir/$name.out and .err (files: a pipe nobody reads would block it) and
# returns the IPC::Run harness; consumer_pid($h) is its pid.
package SkyTools::Consumer;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;

our @EXPORT = qw(consumer_bin conninfo run_consumer start_consumer consumer_pid);

sub consumer_bin
{
	return "$ENV{SKYTOOLS_TOP}/examples/simple_consumer";
}

sub conninfo
{
	my ($node, $db) = @_;
	return 'host=' . $node->host . ' port=' . $node->port . ' dbname=' . ($db // 'postgres');
}

sub run_consumer
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ consumer_bin(), @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub start_consumer
{
	my ($dir, $name, @args) = @_;
	return IPC::Run::start([ consumer_bin(), @args ],
		'>', "$dir/$name.out", '2>', "$dir/$name.err");
}

sub consumer_pid
{
	my ($h) = @_;
	return $h->{KIDS}[0]{PID};
}

1;
