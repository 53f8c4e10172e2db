# SkyTools::Scripts: run the scripts of bin/scripts (queue_mover,
# simple_consumer, ...) against test clusters.
#
# script_ini($file, $section, key => value, ...) writes an ini;
# run_script($prog, @args) runs one to the end: (exit code, stdout,
# stderr); start_script($dir, $name, $prog, @args) starts one with its
# output in $dir/$name.out and .err and returns the IPC::Run harness;
# script_pid($h) is its pid.  kill_runs($n, $start, $cond) starts a run
# $n times, waits for what $cond (given the run's number) says, waits a
# random moment more and kills it with -9.  event_count($node, $queue)
# is "count|distinct ev_data" of the queue's events.
package SkyTools::Scripts;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Utils;
use SkyTools::Wait;

our @EXPORT = qw(script_ini run_script start_script script_pid kill_runs
  event_count);

sub script_ini
{
	my ($file, $section, @kv) = @_;
	my $text = "[$section]\n";
	while (my ($k, $v) = splice(@kv, 0, 2))
	{
		$text .= "$k = $v\n";
	}
	open(my $fh, '>', $file) or die "$file: $!";
	print $fh $text;
	close($fh);
	return $file;
}

sub run_script
{
	my ($prog, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $prog, @args ], '<', \undef, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# what start_script started, killed when the test ends (a failed test
# leaves no script running)
my @started;

sub start_script
{
	my ($dir, $name, $prog, @args) = @_;
	my $h = IPC::Run::start([ $prog, @args ], '<', \undef,
		'>', "$dir/$name.out", '2>', "$dir/$name.err");
	push @started, $h;
	return $h;
}

END
{
	for my $h (@started)
	{
		my $pid = $h->{KIDS}[0]{PID};
		kill 'KILL', $pid if $pid && kill(0, $pid);
	}
}

sub script_pid
{
	my ($h) = @_;
	return $h->{KIDS}[0]{PID};
}

sub kill_runs
{
	my ($n, $start, $cond) = @_;
	for my $i (1 .. $n)
	{
		my $h = $start->($i);
		wait_until("run $i to reach its point", sub { $cond->($i) })
		  or die "run $i: never reached its point";
		usleep(int(rand(300_000)));
		my $pid = script_pid($h);
		kill 'KILL', $pid;
		$h->finish;
		wait_gone($pid);
	}
}

sub event_count
{
	my ($node, $queue) = @_;
	my $t = $node->safe_psql('postgres',
		"select queue_data_pfx from pgq.queue where queue_name = '$queue'");
	return $node->safe_psql('postgres',
		"select count(*), count(distinct ev_data) from $t");
}

1;
