# qadmin in -c / -f mode against a cluster with pgq, pgq_coop, pgq_node
# and londiste installed (by qadmin's own `install londiste`): every
# command of upstream's grammar and our additions, each script's output
# compared with t/expected/NAME.out (read by a person).  Values that
# change from run to run (times, lags, versions) are masked, and runs of
# blanks and dashes count as one, so that a wider time does not move a
# column.  Then bad input: a clear message, exit status 1, the database
# unchanged.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;

my $top = $ENV{SKYTOOLS_TOP} // die 'SKYTOOLS_TOP is not set';
my $t = "$top/bin/qadmin/t";
my $node = PostgreSQL::Test::Cluster->new('qadmin');
$node->init;
$node->start;
$node->safe_psql('postgres', 'create database regression');
$node->safe_psql('postgres', 'create database branchdb');
my $connkeys = 'host=' . $node->host . ' port=' . $node->port;
my @conn = ('-h', $node->host, '-p', $node->port, 'regression');

sub qadmin
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'qadmin', @_ ], '<', \undef, '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub slurp { open(my $f, '<', $_[0]) or return ''; local $/; my $x = <$f>; close $f; return $x; }

sub mask
{
	my ($s) = @_;
	$s =~ s/\d+ days? //g;
	$s =~ s/-?\d\d:\d\d:\d\d(\.\d+)?/<time>/g;
	$s =~ s/\d{4}-\d\d-\d\d <time>(\+\d\d)?/<timestamp>/g;
	$s =~ s/^(server version|pgq version|qadmin version) .*/$1 <v>/mg;
	$s =~ s/(<timestamp>)  +\d+/$1  <txid>/g;
	$s =~ s/^<timestamp>( UTC)? \[\d+\] /<timestamp> [pid] /mg;
	$s =~ s/Lag: \d+s/Lag: <n>s/g;
	$s =~ s/-{2,}/--/g;
	$s =~ s/ {2,}/  /g;
	$s =~ s/ +$//mg;
	return $s;
}

my ($rc, $out, $err) = qadmin(@conn, '-c', 'install londiste');
is($rc, 0, 'install londiste') or diag($err);
is($out, "INSTALL\n", '... says INSTALL');
is($node->safe_psql('regression',
	"select string_agg(extname, ',' order by extname) from pg_extension where extname <> 'plpgsql'"),
	'londiste,pgq,pgq_coop,pgq_ext,pgq_node', 'the extensions are there');

for my $script (sort glob("$t/scripts/*.qa"))
{
	(my $name = $script) =~ s{.*/(.*)\.qa$}{$1};
	my @q = $name eq '01_queues' || $name eq '05_cascade' ? () : ('-Q', 'q1');
	# @CONN@: this cluster's host and port
	(my $text = slurp($script)) =~ s/\@CONN\@/$connkeys/g;
	open(my $sf, '>', "$ENV{TESTDIR}/$name.qa") or die;
	print $sf $text;
	close $sf;
	# londiste (run by the cascade commands) leaves its configuration to
	# the exit, as its own stories allow for with the sanitizers
	local $ENV{ASAN_OPTIONS} = $name eq '05_cascade' ? 'detect_leaks=0' : $ENV{ASAN_OPTIONS};
	($rc, $out, $err) = qadmin(@conn, @q, '--on-error-stop=off', '-f', "$ENV{TESTDIR}/$name.qa");
	s/\Q$connkeys\E/\@CONN\@/g for $out, $err;
	my $got = $out . ($err ne '' ? "-- stderr:\n$err" : '');
	mkdir "$ENV{TESTDIR}/results";
	open(my $f, '>', "$ENV{TESTDIR}/results/$name.out");
	print $f $got;
	close $f;
	my $want = slurp("$t/expected/$name.out");
	is(mask($got), mask($want), "$name: output as expected")
	  or diag("got (in $ENV{TESTDIR}/results/$name.out):\n$got");
}

# bad input: a message, exit status 1, nothing changed
sub state
{
	return $node->safe_psql('regression',
		"select string_agg(queue_name, ',' order by queue_name) from pgq.queue")
	  . '|' . $node->safe_psql('regression',
		"select string_agg(co_name, ',' order by co_name) from pgq.consumer");
}
my $before = state();
$ENV{PGCONNECT_TIMEOUT} = 3;
my @bad = (
	[ 'bogus command;', qr/ERROR: syntax error at or near "bogus"/, 'an unknown command' ],
	[ 'show bogus;', qr/syntax error 2: at "bogus": expected help, version/, 'an unknown show' ],
	[ "create queue 'abc;", qr/syntax error 1: unterminated string/, 'an unterminated string' ],
	[ 'drop queue nosuch;', qr/ERROR: No such event queue/, 'a missing queue' ],
	[ 'register consumer c1 on q1;', qr/Consumer already registered/, 'a consumer already registered' ],
	[ 'register consumer cx on q1 copy nosuch;', qr/Consumer nosuch not registered on queue q1/,
		'copy of an unknown consumer' ],
	[ 'create queue q1;', qr/Queue already exists/, 'a queue that exists' ],
	[ 'connect host=10.1.2.3 port=1;', qr/10\.1\.2\.3/, 'connect host=10.1.2.3 (accepted, fails to connect)' ],
	[ 'connect host=db-1.invalid;', qr/db-1\.invalid/, 'connect to a hyphenated host name (accepted, not found)' ],
	[ 'connect queue=nosuch;', qr/queue not found/, 'connect to a missing queue' ],
	[ 'show batch 1;', qr/No default queue/, 'show batch without a default queue' ],
	[ 'select 1; drop queue nosuch; create queue never;', qr/No such event queue/, 'the first error stops the run' ],
	[ 'takeover nosuch on cq;', qr/londiste takeover failed/, 'takeover of a node that is not there' ],
);
$node->safe_psql('regression', "select pgq.register_consumer('q1', 'c1')");
$before = state();
for my $b (@bad)
{
	($rc, $out, $err) = qadmin(@conn, '-c', $b->[0]);
	is($rc, 1, "$b->[2]: exit status 1");
	like($err, $b->[1], "$b->[2]: says why") or diag("stdout: $out");
}
is(state(), $before, 'nothing changed in the database');
($rc, $out, $err) = qadmin(@conn, '--on-error-stop=off', '-c', 'drop queue nosuch; select 7 as seven;');
is($rc, 0, '--on-error-stop=off: goes on, exit 0');
like($out, qr/^7$/m, '... and runs the next command');
($rc, $out, $err) = qadmin(@conn, '-c', 'select 1 as one; exit; create queue never;');
is($rc, 0, 'exit: the run ends, status 0');
is($node->safe_psql('regression', "select count(*) from pgq.queue where queue_name = 'never'"), '0',
	'... and what came after exit did not run');
($rc, $out, $err) = qadmin(@conn, '-c', 'show version;');
like($out, qr/^qadmin version \S+\nserver version \S+.*\npgq version \S+$/m, 'show version');
($rc, $out, $err) = qadmin(@conn, '-Q', 'nosuch', '-c', 'show queue;');
is($rc, 1, '-Q of a missing queue: exit 1');
($rc, $out, $err) = qadmin('-h', $node->host, '-p', $node->port, 'nosuchdb', '-c', 'select 1;');
is($rc, 1, 'a database that is not there: exit 1');
like($err, qr/nosuchdb/, '... with libpq\'s message');
($rc, $out, $err) = qadmin(@conn, '-c', 'select 1', '-f', '/dev/null');
is($rc, 1, '-c with -f: refused');

done_testing();
