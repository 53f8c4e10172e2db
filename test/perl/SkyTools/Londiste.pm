# SkyTools::Londiste: run our londiste against test clusters.
#
# node_connstr($node) is a connect string of its postgres database.
# londiste(@args) (the ini file first) runs one command to its end and
# returns (exit
# code, stdout, stderr).  start_londiste($ini, $out) starts a worker with
# its output appended to the files $out.out and $out.err (files: a pipe
# nobody reads would block it) and returns the IPC::Run harness.
# start_pgqds($dir, @nodes) starts a pgqd for each node, ticking every
# 0.2 s, and returns them by node name.  pylondiste($py, @args) and
# start_pylondiste($py, $ini, $out) do the same as londiste() and
# start_londiste() with upstream's Python Londiste, $py being what
# SkyTools::Upstream::python_londiste returns: [command prefix, PYTHONPATH].
# londiste_ini($dir, $name, $node, $queue, $extra) writes $dir/$name.ini
# (db, queue, log and pid files in $dir, loop_delay 0.2, then the $extra
# lines) and returns its path.  londiste_ok($ini, @args) runs a command
# that must succeed (a test named after the ini and the arguments) and
# returns (stdout, stderr).
package SkyTools::Londiste;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More ();
use SkyTools::Pgqd;

our @EXPORT = qw(node_connstr londiste start_londiste start_pgqds pylondiste start_pylondiste
  londiste_ini londiste_ok);

sub node_connstr
{
	my ($node) = @_;
	return 'host=' . $node->host . ' port=' . $node->port . ' dbname=postgres';
}

sub londiste
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'londiste', @args ], '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	# killed by a signal (a crash): 128 + the signal, never 0
	return (($? & 127) ? 128 + ($? & 127) : $? >> 8, $out, $err);
}

sub start_londiste
{
	my ($ini, $out, @args) = @_;
	return IPC::Run::start([ 'londiste', $ini, 'worker', @args ],
		'>>', "$out.out", '2>>', "$out.err");
}

sub pylondiste
{
	my ($py, @args) = @_;
	my ($out, $err) = ('', '');
	local $ENV{PYTHONPATH} = $py->[1];
	IPC::Run::run([ @{ $py->[0] }, @args ], '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	# killed by a signal (a crash): 128 + the signal, never 0
	return (($? & 127) ? 128 + ($? & 127) : $? >> 8, $out, $err);
}

sub start_pylondiste
{
	my ($py, $ini, $out, @args) = @_;
	local $ENV{PYTHONPATH} = $py->[1];
	return IPC::Run::start([ @{ $py->[0] }, $ini, 'worker', @args ],
		'>>', "$out.out", '2>>', "$out.err");
}

sub londiste_ini
{
	my ($dir, $name, $node, $queue, $extra) = @_;
	my $ini = "$dir/$name.ini";
	PostgreSQL::Test::Utils::append_to_file($ini, "[londiste]\ndb = " . node_connstr($node)
		  . "\nqueue_name = $queue\nlogfile = $dir/$name.log\npidfile = $dir/$name.pid\n"
		  . "loop_delay = 0.2\n" . ($extra // ''));
	return $ini;
}

sub londiste_ok
{
	my ($ini, @args) = @_;
	my ($rc, $out, $err) = londiste($ini, @args);
	my $name = $ini =~ m{([^/]+)\.ini$} ? $1 : $ini;
	Test::More::is($rc, 0, "$name: @args") or Test::More::diag($err);
	return ($out, $err);
}

sub start_pgqds
{
	my ($dir, %nodes) = @_;
	my %pgqd;
	for my $name (sort keys %nodes)
	{
		mkdir "$dir/pgqd_$name";
		$pgqd{$name} = start_pgqd($nodes{$name}, "$dir/pgqd_$name", "ticker_period = 0.2\n");
	}
	return %pgqd;
}

1;
