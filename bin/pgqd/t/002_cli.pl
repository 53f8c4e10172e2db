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
use SkyTools::Wait;

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
	IPC::Run::run([ 'pgqd', @_ ], '>', \$out, '2>', \$err, IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
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
sub daemon_pid
{
	my $p = -f "$dir/pgqd.pid" ? slurp_file("$dir/pgqd.pid") : '';
	chomp $p;
	return $p =~ /^\d+$/ && $p != 999999 && kill(0, $p) ? $p : undef;
}
my $pid = wait_until('the daemon\'s pidfile', \&daemon_pid);
ok($pid, 'the daemon runs and wrote its pid');
($rc, $out, $err) = run($good);
is($rc, 1, 'a second pgqd on the same pidfile refuses');
like($err, qr/pidfile exists, another instance running/, 'and says why');
($rc, $out) = run('-r', $good);
like($out, qr/SIGHUP sent/, '-r sends SIGHUP');
($rc, $out) = run('-s', $good);
is($rc, 0, '-s exits 0');
like($out, qr/SIGINT sent/, '-s sends SIGINT');
ok(wait_gone($pid), 'the daemon stopped');
ok(!-f "$dir/pgqd.pid", 'and removed its pidfile');
($rc, $out) = run('-s', $good);
like($out, qr/Old process is not running/, '-s with nothing running says so');

run('-d', $good);
$pid = wait_until('the daemon\'s pidfile', \&daemon_pid);
($rc, $out) = run('-k', $good);
like($out, qr/SIGTERM sent/, '-k sends SIGTERM');
ok(wait_gone($pid), 'the daemon is gone after -k');

# a stale pidfile is taken over
open my $fh, '>', "$dir/pgqd.pid" or die;
print $fh "999999\n";
close $fh;
my $h = IPC::Run::start([ 'pgqd', $good ], '>', "$dir/stdout", '2>', "$dir/stderr");
ok(wait_for_log("$dir/pgqd.log", qr/stale pidfile, removing/), 'a stale pidfile is replaced');
ok(wait_until('the new pidfile', \&daemon_pid), 'and a new one written');
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
ok(wait_for_log("$dir/miss.log", qr/\[no_such_db\]: connection error/)
	  && wait_for_log("$dir/miss.log", qr/connection lost, reconnecting/), 'failed connections are logged and retried');
ok(kill(0, $h->{KIDS}[0]{PID}), 'pgqd keeps running');
kill 'INT', $h->{KIDS}[0]{PID};
$h->finish;
unlike(slurp_file("$dir/miss.log"), qr/Secret123|password=|host=|port=/,
	'no connect string or password in the log');

$node->stop;
done_testing();
