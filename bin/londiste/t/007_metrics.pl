# The worker's metrics_port: Prometheus text on loopback, its figures
# checked against what was done and what the databases say: rows applied
# per table and operation, batches, events, the last tick, the lag, each
# table's sync state (0 while its copy waits, 1 after).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IO::Socket::INET;
use Test::More;
use SkyTools::Pgqd;
use SkyTools::Wait;
use SkyTools::Londiste;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my $root = PostgreSQL::Test::Cluster->new('m_root');
my $leaf = PostgreSQL::Test::Cluster->new('m_leaf');
$_->init for $root, $leaf;
$_->start for $root, $leaf;
$_->safe_psql('postgres', q{create table t (id int primary key, v text);
  create table big (id int primary key, v text)}) for $root, $leaf;
$root->safe_psql('postgres', q{insert into big select g, 'b' || g from generate_series(1, 5000) g});
my $mport = PostgreSQL::Test::Cluster::get_free_port();

for my $n ([ 'root', $root, '' ], [ 'leaf', $leaf, "metrics_port = $mport\n" ])
{
	PostgreSQL::Test::Utils::append_to_file("$dir/$n->[0].ini",
		"[londiste]\ndb = " . node_connstr($n->[1]) . "\nqueue_name = mq\nlogfile = $dir/$n->[0].log\n"
		  . "pidfile = $dir/$n->[0].pid\nloop_delay = 0.2\n$n->[2]");
}
sub ld { my ($n, @a) = @_; my @r = londiste("$dir/$n.ini", @a); is($r[0], 0, "$n: @a") or diag($r[2]); }
ld('root', 'create-root', 'r', node_connstr($root));
ld('leaf', 'create-leaf', 'l', node_connstr($leaf), '--provider=' . node_connstr($root));
ld('root', 'add-table', 't', 'big');
ld('leaf', 'add-table', 't', '--expect-sync');
my $pgqd = start_pgqd($root, $dir, "ticker_period = 0.2\n");
my %w = (root => start_londiste("$dir/root.ini", "$dir/root"), leaf => start_londiste("$dir/leaf.ini", "$dir/leaf"));

sub scrape
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Timeout => 5) or return undef;
	print $s "GET /metrics HTTP/1.0\r\n\r\n";
	local $/;
	my $page = <$s>;
	close $s;
	return $page;
}
sub metric
{
	my ($page, $name, $labels) = @_;
	my $re = quotemeta($name) . ($labels ? '\{' . quotemeta($labels) . '\}' : '');
	return $page =~ /^$re ([-\d.e+]+)$/m ? $1 : undef;
}

ok(wait_until('the metrics page', sub { scrape() }), 'the leaf serves its metrics page');
my $page = scrape();
like($page, qr{^HTTP/1\.[01] 200}m, '200 OK');
like($page, qr{^Content-Type: text/plain; version=0\.0\.4}mi, 'Prometheus text');

$root->safe_psql('postgres', q{insert into t select g, 'v' || g from generate_series(1, 100) g});
$root->safe_psql('postgres', q{update t set v = v || '!' where id <= 30});
$root->safe_psql('postgres', q{delete from t where id > 90});
$root->safe_psql('postgres', q{begin; insert into t values (1000, 'rolled back'); rollback;});
my $top = $root->safe_psql('postgres', q{select pgq.force_tick('mq')});
ok(wait_until('a tick after the changes', sub {
			$root->safe_psql('postgres', q{select last_tick_id from pgq.get_queue_info('mq')}) > $top }),
	'ticked');
$top = $root->safe_psql('postgres', q{select last_tick_id from pgq.get_queue_info('mq')});
ok($leaf->poll_query_until('postgres', "select worker_last_tick >= $top from pgq_node.get_node_info('mq')"),
	"the leaf has tick $top");
ok($leaf->poll_query_until('postgres', q{select count(*) = 90 from t}), 'and the rows');

$page = scrape();
is(metric($page, 'londiste_rows_applied_total', 'table="public.t",op="insert"'), 100, '100 inserts applied');
is(metric($page, 'londiste_rows_applied_total', 'table="public.t",op="update"'), 30, '30 updates');
is(metric($page, 'londiste_rows_applied_total', 'table="public.t",op="delete"'), 10, '10 deletes');
is(metric($page, 'londiste_events_total'), 140, '140 row events in all');
my $tick = metric($page, 'londiste_last_tick_id');
my $db_tick = $leaf->safe_psql('postgres', q{select worker_last_tick from pgq_node.get_node_info('mq')});
ok($tick >= $top && $tick <= $db_tick, "the last tick ($tick) is the node's ($top..$db_tick)");
my $batches = metric($page, 'londiste_batches_total');
cmp_ok($batches, '>=', 1, "batches counted ($batches)");
my $lag = metric($page, 'londiste_lag_seconds');
ok(defined $lag && $lag >= 0 && $lag < 600, "a lag in seconds ($lag)");
is(metric($page, 'londiste_table_in_sync', 'table="public.t"'), 1, 't in sync');
is(metric($page, 'londiste_up'), 1, 'the node answers');
like($page, qr/^# TYPE londiste_copy_rows gauge$/m, 'the copy progress family');

# a copy held by a lock on the root: 0, then 1
my $bg = $root->background_psql('postgres');
$bg->query_safe('begin; lock table big in access exclusive mode');
ld('leaf', 'add-table', 'big');
ok(wait_until('big in copy', sub { defined metric(scrape() // '', 'londiste_table_in_sync', 'table="public.big"') }),
	'big on the page');
is(metric(scrape(), 'londiste_table_in_sync', 'table="public.big"'), 0, 'big not in sync while its copy waits');
$bg->query_safe('commit');
$bg->quit;
ok($leaf->poll_query_until('postgres', q{select merge_state = 'ok' from londiste.table_info where table_name = 'public.big'}),
	'big copied');
is(metric(scrape(), 'londiste_table_in_sync', 'table="public.big"'), 1, 'and in sync on the page');

kill 'INT', $w{$_}{KIDS}[0]{PID} for keys %w;
$w{$_}->finish for keys %w;
stop_pgqd($pgqd);
ok(!defined scrape(), 'the page is gone with the worker');
unlike(slurp_file("$dir/leaf.log"), qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
$_->stop for $root, $leaf;
done_testing();
