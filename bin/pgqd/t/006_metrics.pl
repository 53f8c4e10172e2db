# metrics_port serves Prometheus text on loopback; pgqd --check prints the
# same and fails when a configured database cannot be reached.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IO::Socket::INET;
use IPC::Run;
use Test::More;
use SkyTools::Wait;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $node = PostgreSQL::Test::Cluster->new('metrics');
$node->init;
$node->start;
$node->safe_psql('postgres', q{create extension pgq; select pgq.create_queue('mq');
  select pgq.register_consumer('mq', 'Mixed "c"')});
my $dir = PostgreSQL::Test::Utils::tempdir;
my ($host, $port) = ($node->host, $node->port);
my $mport = PostgreSQL::Test::Cluster::get_free_port();

sub ini
{
	my ($name, $extra) = @_;
	open my $fh, '>', "$dir/$name.ini" or die;
	print $fh "[pgqd]\nbase_connstr = host=$host port=$port\nlogfile = $dir/$name.log\nsyslog = 0\n"
	  . "ticker_period = 0.1\n$extra";
	close $fh;
	return "$dir/$name.ini";
}

my $h = IPC::Run::start([ 'pgqd', ini('m', "database_list = postgres\nmetrics_port = $mport\n") ],
	'>', "$dir/out", '2>', "$dir/err");
my $text = '';
wait_until(
	'the metrics page with consumer figures',
	sub {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Timeout => 10)
		  or return 0;
		print $s "GET /metrics HTTP/1.0\r\n\r\n";
		local $/;
		$text = <$s> // '';
		close $s;
		$text =~ /pgq_consumer_lag_seconds\{/;
	});
like($text, qr{^HTTP/1\.0 200 OK}, 'metrics answer HTTP 200');
like($text, qr/^pgqd_database_up\{database="postgres"\} 1$/m, 'database up');
like($text, qr/^pgqd_ticks_total\{database="postgres"\} [1-9]/m, 'ticks counted');
like($text, qr/^pgq_queue_ticker_lag_seconds\{database="postgres",queue="mq"\} [0-9.]+$/m, 'queue tick age');
like($text, qr/^pgq_consumer_pending_events\{database="postgres",queue="mq",consumer="Mixed \\"c\\""\} \d+$/m,
	'consumer figures, label escaped');
kill 'INT', $h->{KIDS}[0]{PID};
$h->finish;

my ($out, $err) = ('', '');
IPC::Run::run([ 'pgqd', '--check', ini('c1', "database_list = postgres\n") ], '>', \$out, '2>', \$err);
is($? >> 8, 0, '--check: exit 0 when every database answers');
like($out, qr/^pgq_queue_new_events\{database="postgres",queue="mq"\}/m, '--check prints the metrics');
IPC::Run::run([ 'pgqd', '--check', ini('c2', "database_list = postgres, no_such_db\n") ],
	'>', \$out, '2>', \$err);
is($? >> 8, 1, '--check: exit 1 when a database cannot be reached');
like($err, qr/database "no_such_db" cannot be reached/, '--check names it');
like($out, qr/^pgqd_database_up\{database="no_such_db"\} 0$/m, 'and reports it down');
$node->stop;
done_testing();
