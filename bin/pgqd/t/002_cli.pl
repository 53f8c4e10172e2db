# pgqd's command line: -d then -s and -k from a second invocation, a second
# instance on the same pidfile refused, and bad input (unreadable,
# malformed, unknown keys, bad values and units, missing database, wrong
# credentials) each answered with a clear line and an exit code.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use Time::HiRes qw(usleep);

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $node = PostgreSQL::Test::Cluster->new('cli');
$node->init;
$node->start;
$node->safe_psql('postgres', 'create extension pgq');
my $dir = PostgreSQL::Test::Utils::tempdir;
my ($host, $port) = ($node->host, $node->port);

sub ini
{
	my ($name, $body) = @_;
	my $file = "$dir/$name.ini";
	open my $fh, '>', $file or die;
	print $fh $body;
	close $fh;
	return $file;
}

sub run
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pgqd', @_ ], '>', \$out, '2>', \$err, IPC::Run::timeout(30));
	return ($? >> 8, $out, $err);
}

my ($rc, $out, $err) = run('-V');
is($rc, 0, '-V exits 0');
like($out, qr/^pgqd version \d/, '-V prints the version');
($rc, $out) = run('--ini');
like($out, qr/logfile/, '--ini prints a sample with logfile');
($rc, $out, $err) = run();
is($rc, 1, 'no config file: exit 1');
like($err, qr/pgqd requires config file/, 'no config file: said so');
($rc, $out) = run('-x', 'a.ini');
is($rc, 1, 'bad switch: exit 1');

my $good = ini('good', <<"INI");
[pgqd]
base_connstr = host=$host port=$port
initial_database = postgres
logfile = $dir/pgqd.log
pidfile = $dir/pgqd.pid
syslog = 0
ticker_period = 0.2
INI

# -d, then a second instance refused, then -s and -k
($rc, $out, $err) = run('-d', $good);
is($rc, 0, '-d returns at once with 0');
my $pid;
for (1 .. 50)
{
	$pid = -f "$dir/pgqd.pid" ? slurp_file("$dir/pgqd.pid") : '';
	chomp $pid;
	last if $pid && kill(0, $pid);
	usleep(100_000);
}
ok($pid && kill(0, $pid), 'the daemon runs and wrote its pid');
($rc, $out, $err) = run($good);
is($rc, 1, 'a second pgqd on the same pidfile refuses');
like($err, qr/pidfile exists, another instance running/, 'and says why');
($rc, $out) = run('-r', $good);
like($out, qr/SIGHUP sent/, '-r sends SIGHUP');
($rc, $out) = run('-s', $good);
is($rc, 0, '-s exits 0');
like($out, qr/SIGINT sent/, '-s sends SIGINT');
for (1 .. 100) { last unless kill(0, $pid); usleep(100_000); }
ok(!kill(0, $pid), 'the daemon stopped');
ok(!-f "$dir/pgqd.pid", 'and removed its pidfile');
($rc, $out) = run('-s', $good);
like($out, qr/Old process is not running/, '-s with nothing running says so');

run('-d', $good);
for (1 .. 50) { last if -f "$dir/pgqd.pid"; usleep(100_000); }
$pid = slurp_file("$dir/pgqd.pid");
chomp $pid;
($rc, $out) = run('-k', $good);
like($out, qr/SIGTERM sent/, '-k sends SIGTERM');
for (1 .. 100) { last unless kill(0, $pid); usleep(100_000); }
ok(!kill(0, $pid), 'the daemon is gone after -k');

# a stale pidfile is taken over
open my $fh, '>', "$dir/pgqd.pid" or die;
print $fh "999999\n";
close $fh;
my $h = IPC::Run::start([ 'pgqd', $good ], '>', "$dir/stdout", '2>', "$dir/stderr");
for (1 .. 50) { last if slurp_file("$dir/pgqd.pid") !~ /999999/; usleep(100_000); }
like(slurp_file("$dir/pgqd.log"), qr/stale pidfile, removing/, 'a stale pidfile is replaced');
kill 'INT', $h->{KIDS}[0]{PID};
$h->finish;

# bad input: one clear line, exit 1
my @bad = (
	[ 'missing file', "$dir/nonexistent.ini", qr/could not load file ".*nonexistent.ini": No such file/ ],
	[ 'malformed', ini('malformed', "[pgqd\n"), qr/malformed.ini:1: syntax error/ ],
	[ 'other section', ini('section', "[other]\n"), qr/invalid section "other"/ ],
	[ 'unknown key', ini('unknown', "[pgqd]\nticker_perod = 1\n"), qr/unknown.ini:2: unknown parameter "ticker_perod"/ ],
	[ 'bad int', ini('badint', "[pgqd]\nsyslog = yes\n"), qr/invalid value "yes" for syslog: expected an integer/ ],
	[ 'unit', ini('unit', "[pgqd]\nticker_period = 0.5s\n"), qr/invalid value "0.5s" for ticker_period: expected seconds/ ],
	[ 'no section', ini('nosect', "# empty\n"), qr/section \[pgqd\] missing/ ],
	[ 'daemon without pidfile', ini('nopid', "[pgqd]\nlogfile = $dir/x.log\n"), qr/daemon needs pidfile configured/, '-d' ],
);
for my $b (@bad)
{
	my ($name, $file, $re, @opt) = @$b;
	($rc, $out, $err) = run(@opt, $file);
	is($rc, 1, "$name: exit 1");
	like($err, $re, "$name: clear message");
	is(scalar(() = $err =~ /FATAL|ERROR|^pgqd:/mg), 1, "$name: one error line");
}
chmod 0, ini('unreadable', "[pgqd]\n");
if ($> != 0)
{
	($rc, $out, $err) = run("$dir/unreadable.ini");
	is($rc, 1, 'unreadable: exit 1');
	like($err, qr/could not load file .*Permission denied/, 'unreadable: clear message');
}

# a missing database and wrong credentials: warnings, and it keeps running
my $miss = ini('miss', <<"INI");
[pgqd]
base_connstr = host=$host port=$port user=no_such_user password=Secret123
database_list = postgres, no_such_db
logfile = $dir/miss.log
syslog = 0
INI
$h = IPC::Run::start([ 'pgqd', $miss ], '>', "$dir/stdout2", '2>', "$dir/stderr2");
my $seen = 0;
for (1 .. 100)
{
	my $t = -f "$dir/miss.log" ? slurp_file("$dir/miss.log") : '';
	if ($t =~ /\[no_such_db\]: connection error/ && $t =~ /connection lost, reconnecting/)
	{
		$seen = 1;
		last;
	}
	usleep(100_000);
}
ok($seen, 'failed connections are logged and retried');
ok(kill(0, $h->{KIDS}[0]{PID}), 'pgqd keeps running');
kill 'INT', $h->{KIDS}[0]{PID};
$h->finish;
unlike(slurp_file("$dir/miss.log"), qr/Secret123|password=|host=|port=/,
	'no connect string or password in the log');

$node->stop;
done_testing();
