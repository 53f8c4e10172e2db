# The script framework (lib/script.c) through examples/counter_script:
# the ini's section named after the program with %(name)s interpolation
# and the built-in job_name; --ini, --set, -V; the loop and its
# statistics line; daemon mode with the pidfile as a single-instance
# lock; -r reloads, -s stops after the round, -k at once; a failing round
# logged and retried; bad input (an unknown key, a missing section, an
# interpolation that refers to nothing, no ini, -d without a pidfile)
# named with the file and line, exit 1.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use SkyTools::Wait;
use SkyTools::Walmgr qw(put_file get_file);
use IPC::Run;
use Test::More;

my $prog = "$ENV{SKYTOOLS_TOP}/examples/counter_script";
my $dir = PostgreSQL::Test::Utils::tempdir;

sub run_script
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ $prog, @_ ], '<', \undef, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}
sub lines { my @l = split /\n/, get_file($_[0]); return scalar @l; }

my ($rc, $out, $err) = run_script('--ini', '--set', 'stop_after=5');
is($rc, 0, '--ini');
like($out, qr/^\[counter_script\]$/m, 'the section is the program\'s name');
like($out, qr/^#job_name = %\(job_name\)s$/m, 'a common key with its default');
like($out, qr/^#out_file = $/m, 'the script\'s own key');
like($out, qr/^stop_after = 5$/m, 'a --set value shown set');
($rc, $out) = run_script('-V');
like($out, qr/^counter_script version 1\.0, Skytools version \S+$/, '-V');

# the loop: three rounds, the statistics line after each
put_file("$dir/counter.ini", <<"INI");
[DEFAULT]
base = $dir
[counter_script]
out_file = %(base)s/%(job_name)s.out
logfile = %(config_dir)s/%(job_name)s.log
stop_after = 3
loop_delay = 0.05
INI
($rc, $out, $err) = run_script("$dir/counter.ini");
is($rc, 0, 'three rounds, then done') or diag($err);
is(get_file("$dir/counter.out"), "round 1 of counter\nround 2 of counter\nround 3 of counter\n",
	'job_name is the ini\'s base name; %(base)s from [DEFAULT], %(job_name)s interpolated');
my $log = get_file("$dir/counter.log");
is(() = $log =~ /\{count: 1\}/g, 3, 'a statistics line {count: 1} after each round');
($rc, $out, $err) = run_script("$dir/counter.ini", '--set', 'stop_after=1', '--set', "out_file=$dir/set.out");
is(get_file("$dir/set.out"), "round 1 of counter\n", '--set overrides the ini');

# daemon mode, the pidfile a lock, reload, stop
put_file("$dir/daemon.ini", <<"INI");
[counter_script]
out_file = $dir/daemon.out
logfile = $dir/daemon.log
pidfile = $dir/daemon.pid
loop_delay = 0.05
INI
($rc, $out, $err) = run_script('-d', "$dir/daemon.ini");
is($rc, 0, '-d: to the background') or diag($err);
ok(wait_until('the daemon', sub { -s "$dir/daemon.pid" && lines("$dir/daemon.out") >= 2 }), 'the daemon works');
($rc, $out, $err) = run_script("$dir/daemon.ini");
is($rc, 1, 'a second instance: refused');
like(get_file("$dir/daemon.log") . $err, qr/pidfile|already running|another/i, '... saying the pidfile is held');
($rc, $out, $err) = run_script('-r', "$dir/daemon.ini");
is($rc, 0, '-r');
ok(wait_until('reload', sub { get_file("$dir/daemon.log") =~ /configuration reloaded/ }), 'the daemon reloaded');
($rc, $out, $err) = run_script('-s', "$dir/daemon.ini");
is($rc, 0, '-s');
ok(wait_until('stop', sub { !-e "$dir/daemon.pid" }), 'it stopped and removed its pidfile');
like(get_file("$dir/daemon.log"), qr/Got SIGINT, stopping/, '... after its round');
($rc, $out, $err) = run_script('-s', "$dir/daemon.ini");
is($rc, 0, '-s with nothing running: a warning, exit 0');
like($err, qr/no process runs/, '... saying so');

# -k: at once
($rc, $out, $err) = run_script('-d', "$dir/daemon.ini", '--set', 'loop_delay=30');
ok(wait_until('the daemon again', sub { -s "$dir/daemon.pid" }), 'started again with a long loop_delay');
($rc, $out, $err) = run_script('-k', "$dir/daemon.ini");
ok(wait_until('kill', sub { !-e "$dir/daemon.pid" }), '-k: gone without waiting out loop_delay');
like(get_file("$dir/daemon.log"), qr/Got SIGTERM/, '... saying so');

# a failing round: logged, retried after exception_sleep
put_file("$dir/fail.ini", "[counter_script]\nout_file = $dir/no/such/dir/x\nexception_sleep = 0.05\npidfile = $dir/fail.pid\nlogfile = $dir/fail.log\n");
($rc, $out, $err) = run_script('-d', "$dir/fail.ini");
ok(wait_until('crashes', sub { () = get_file("$dir/fail.log") =~ /Job fail crashed/g; }), 'a failing round: "Job fail crashed"');
ok(wait_until('retries', sub { my $n = () = get_file("$dir/fail.log") =~ /Job fail crashed/g; $n >= 2 }),
	'... and retried');
run_script('-k', "$dir/fail.ini");
ok(wait_until('fail stopped', sub { !-e "$dir/fail.pid" }), 'stopped');

# bad input
put_file("$dir/unknown.ini", "[counter_script]\nout_file = x\nstop_afterr = 2\n");
put_file("$dir/nosection.ini", "[something_else]\nout_file = x\n");
put_file("$dir/badref.ini", "[counter_script]\nstop_after = 1\nout_file = %(nosuch)s/x\n");
put_file("$dir/badnum.ini", "[counter_script]\nstop_after = many\n");
put_file("$dir/nodaemon.ini", "[counter_script]\nout_file = x\n");
for my $b (
	[ [ "$dir/unknown.ini" ], qr/unknown\.ini:3: unknown parameter "stop_afterr" in \[counter_script\]/, 'an unknown key' ],
	[ [ "$dir/nosection.ini" ], qr/nosection\.ini: no \[counter_script\] section/, 'a missing section' ],
	[ [ "$dir/badref.ini" ], qr/badref\.ini:3: value of "out_file" refers to "nosuch", which is not set/,
		'an interpolation that refers to nothing' ],
	[ [ "$dir/badnum.ini" ], qr/badnum\.ini:2: .*many/, 'a bad number' ],
	[ [ "$dir/none.ini" ], qr/none\.ini/, 'a missing ini' ],
	[ [], qr/need config file/, 'no ini' ],
	[ [ '-d', "$dir/nodaemon.ini" ], qr/Daemon needs pidfile/, '-d without a pidfile' ],
	[ [ "$dir/nodaemon.ini", '--set', 'bogus' ], qr/--set bogus: expected KEY=VALUE/, 'a --set without =' ])
{
	($rc, $out, $err) = run_script(@{ $b->[0] });
	is($rc, 1, "$b->[2]: exit 1");
	like($err, $b->[1], "$b->[2]: named");
}

done_testing();
