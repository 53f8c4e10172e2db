# setadm, the cascade admin of a plain queue (Londiste's cascade code run
# without Londiste): a root, a branch and a leaf of queue pq, each with
# setadm's worker; a producer on the root all along; a simple_local_consumer
# on the leaf reading the branch.  status and members show the cascade;
# the branch takes the root's place (switchover); the old root goes on as
# a branch of it.  Every event reaches the branch's queue and the leaf's
# consumer exactly once, across the switchover.  Londiste's commands are
# refused.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Londiste qw(node_connstr start_pgqds);
use SkyTools::Scripts;
use SkyTools::Wait;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $setadm = "$ENV{SKYTOOLS_TOP}/bin/londiste/setadm";
my $slc = "$ENV{SKYTOOLS_TOP}/bin/scripts/simple_local_consumer";
my $dir = PostgreSQL::Test::Utils::tempdir;

my (%node, %ini, %worker);
for my $name (qw(root branch leaf))
{
	$node{$name} = PostgreSQL::Test::Cluster->new($name);
	$node{$name}->init;
	$node{$name}->start;
	$ini{$name} = script_ini("$dir/$name.ini", 'setadm',
		db => node_connstr($node{$name}), queue_name => 'pq',
		logfile => "$dir/$name.log", loop_delay => '0.2',
		global_wm_publish_period => '1', local_wm_publish_period => '1');
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
sub sa { return run_script($setadm, @_); }
sub sa_ok
{
	my ($n, @args) = @_;
	my ($rc, $out, $err) = sa($ini{$n}, @args);
	is($rc, 0, "setadm $n @args") or diag($err);
	return $out;
}
sub start_worker { my ($n) = @_; $worker{$n} = start_script($dir, "w_$n", $setadm, $ini{$n}, 'worker'); }
sub stop_worker { my ($n) = @_; kill 'INT', script_pid($worker{$n}); $worker{$n}->finish; }

sa_ok('root', 'create-root', 'rootnode', node_connstr($node{root}));
sa_ok('branch', 'create-branch', 'branchnode', node_connstr($node{branch}),
	'--provider=' . node_connstr($node{root}));
sa_ok('leaf', 'create-leaf', 'leafnode', node_connstr($node{leaf}),
	'--provider=' . node_connstr($node{branch}));
is(sql('root', q{select count(*) from pg_extension where extname = 'londiste'}), '0',
	'no Londiste installed: a plain queue');
my ($rc, $out, $err) = sa($ini{root}, 'add-table', 't');
is($rc, 1, 'a Londiste command: refused');
like($err, qr/add-table is a Londiste command; setadm runs the cascade of a plain queue/,
	'and said why');

my %pgqd = start_pgqds($dir, %node);
start_worker($_) for qw(root branch leaf);

# the leaf's consumer reads the branch's queue, its position on the leaf
sql('leaf', 'create table got (id int, ev_id bigint)');
my $cini = script_ini("$dir/slc.ini", 'simple_local_consumer3',
	db => node_connstr($node{leaf}), queue_name => 'pq', consumer_name => 'slc',
	loop_delay => '0.1', exception_sleep => '0.3',
	dst_query => 'insert into got values (%%(id)s, %%(pgq.ev_id)s)');
($rc, $out, $err) = run_script($slc, $cini, '--register', '--provider=branchnode');
is($rc, 0, 'the leaf\'s consumer registered, reading the branch') or diag($err);
my $consumer = start_script($dir, 'slc', $slc, $cini);

# a producer on whichever node is the root
my $n = 0;
sub produce
{
	my ($on, $count) = @_;
	for (1 .. $count / 100)
	{
		sql($on, "select pgq.insert_event('pq', 'I:id', 'id=' || i) from generate_series("
			  . ($n + 1) . ', ' . ($n + 100) . ') i');
		$n += 100;
	}
}
produce('root', 2000);
ok(wait_until('the events on the branch and through the leaf',
		sub { sql('leaf', 'select count(*) from got') == $n }),
	'events flow root -> branch -> the leaf\'s consumer');

$out = sa_ok('branch', 'status');
like($out, qr/rootnode \(root\).*branchnode \(branch\).*leafnode \(leaf\)/s, 'status: the three nodes in their places');
unlike($out, qr/Tables:/, 'status: no tables on a plain queue');
$out = sa_ok('leaf', 'members');
is(() = $out =~ /^(rootnode|branchnode|leafnode)\s+f\s+host=/mg, 3, 'members: the three');

# switchover: the branch takes the root's place
produce('root', 1000);
$out = sa_ok('branch', 'takeover', 'rootnode');
is(sql('branch', q{select node_type from pgq_node.get_node_info('pq')}), 'root', 'the branch is the root');
is(sql('root', q{select node_type || ' ' || provider_node from pgq_node.get_node_info('pq')}),
	'branch branchnode', 'the old root is a branch of it');
produce('branch', 2000);
ok(wait_until('every event through the leaf',
		sub { sql('leaf', 'select count(*) from got') == $n }),
	"all $n events through the leaf's consumer") or diag(sql('leaf', 'select count(*) from got'));
is(sql('leaf', 'select count(*), count(distinct id), count(distinct ev_id) from got'),
	"$n|$n|$n", 'each exactly once, across the switchover');

# the old root, now a branch, receives the new root's events
my $tbl = sql('root', q{select queue_data_pfx from pgq.queue where queue_name = 'pq'});
ok(wait_until('the old root to catch up',
		sub { sql('root', "select count(distinct ev_id) from $tbl where ev_type = 'I:id'") == $n }),
	'the old root carries every event as a branch');
$tbl = sql('branch', q{select queue_data_pfx from pgq.queue where queue_name = 'pq'});
is(sql('branch', "select count(*), count(distinct ev_id) from $tbl where ev_type = 'I:id'"),
	"$n|$n", 'the new root\'s queue: every event once');
$out = sa_ok('leaf', 'status');
like($out, qr/branchnode \(root\).*rootnode \(branch\)/s, 'status after: the branch is the root');

kill 'INT', script_pid($consumer);
$consumer->finish;
stop_worker($_) for qw(root branch leaf);
$node{$_}->stop for keys %node;
done_testing();
