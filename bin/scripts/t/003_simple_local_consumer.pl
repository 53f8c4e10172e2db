# simple_local_consumer keeps its position in pgq_node on a branch node of
# a cascade (root -> branch, the branch's worker copying the queue) and
# applies dst_query there.  Under a load on the root it is moved to read
# the root's queue and back to the branch's (pgq_node.change_consumer_
# provider) and killed with -9 on the way: every row arrives exactly once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Londiste;
use SkyTools::Scripts;
use SkyTools::Wait;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $prog = "$ENV{SKYTOOLS_TOP}/bin/scripts/simple_local_consumer";
my $dir = PostgreSQL::Test::Utils::tempdir;
srand(5);

my %node;
for my $name (qw(root branch))
{
	$node{$name} = PostgreSQL::Test::Cluster->new($name);
	$node{$name}->init;
	$node{$name}->start;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
my $rini = londiste_ini($dir, 'root', $node{root}, 'sq');
my $bini = londiste_ini($dir, 'branch', $node{branch}, 'sq');
londiste_ok($rini, 'create-root', 'rootnode', node_connstr($node{root}));
londiste_ok($bini, 'create-branch', 'branchnode', node_connstr($node{branch}),
	'--provider=' . node_connstr($node{root}));
my %pgqd = start_pgqds($dir, %node);
my $worker = start_londiste($bini, "$dir/branch_worker");

sql('root', q{
create table src_t (id int primary key, v text);
create trigger src_t_q after insert on src_t
    for each row execute procedure pgq.logutriga('sq');
});
sql('branch', 'create table got (id int, v text, ev_id bigint)');

my $ini = script_ini("$dir/slc.ini", 'simple_local_consumer3',
	db => node_connstr($node{branch}), queue_name => 'sq',
	consumer_name => 'slc', loop_delay => '0.1', exception_sleep => '0.3',
	dst_query => 'insert into got values (%%(id)s, %%(v)s, %%(pgq.ev_id)s)');
my ($rc, $out, $err) = run_script($prog, $ini, '--register');
is($rc, 0, '--register on the branch, reading the branch') or diag($err);
is(sql('branch', q{select provider_node from pgq_node.get_consumer_state('sq', 'slc')}),
	'branchnode', 'the node keeps the consumer, its provider the node itself');

my $n = 0;
sub load
{
	for (1 .. 10)
	{
		sql('root', "insert into src_t select i, 'v' || i from generate_series("
			  . ($n + 1) . ', ' . ($n + 100) . ') i');
		$n += 100;
	}
}
sub applied { return sql('branch', 'select count(*) from got'); }

my $h = start_script($dir, 'slc1', $prog, $ini);
load();
ok(wait_until('rows through the branch', sub { applied() > 0 }), 'applying from the branch');

# move to the root while rows keep coming
load();
sql('branch', q{select * from pgq_node.change_consumer_provider('sq', 'slc', 'rootnode')});
ok(wait_for_log("$dir/slc1.err", qr/slc registered on the new provider at tick \d+/),
	'moved to the root at its position');
load();
is(sql('root', q{select count(*) from pgq.get_consumer_info('sq', 'slc')}), '1',
	'registered on the root');
ok(wait_until('the branch registration to go',
		sub { sql('branch', q{select count(*) from pgq.get_consumer_info('sq') where consumer_name = 'slc'}) eq '0' }),
	'gone from the branch\'s queue');

# killed twice while reading the root
for my $i (2 .. 3)
{
	my $before = applied();
	load();
	ok(wait_until('progress', sub { applied() > $before }), "run $i applies from the root");
	kill 'KILL', script_pid($h);
	$h->finish;
	$h = start_script($dir, "slc$i", $prog, $ini);
}

# and back to the branch
load();
sql('branch', q{select * from pgq_node.change_consumer_provider('sq', 'slc', 'branchnode')});
ok(wait_for_log("$dir/slc3.err", qr/slc registered on the new provider/),
	'moved back to the branch');
load();
ok(wait_until('every row', sub { applied() == $n }), "all $n rows applied")
  or diag(applied() . " of $n");
is(sql('branch', 'select count(*), count(distinct id), count(distinct ev_id) from got'),
	"$n|$n|$n", 'every row exactly once across the moves and kills');
is(sql('branch', q{select count(*) from got where v <> 'v' || id}), '0', 'values right');
is(sql('root', q{select count(*) from pgq.get_consumer_info('sq') where consumer_name = 'slc'}),
	'0', 'gone from the root\'s queue');

# unregister: from the node and from its provider
kill 'INT', script_pid($h);
$h->finish;
($rc, $out, $err) = run_script($prog, $ini, '--unregister');
is($rc, 0, '--unregister') or diag($err);
is(sql('branch', q{select count(*) from pgq_node.local_state where consumer_name = 'slc'})
	  . sql('branch', q{select count(*) from pgq.get_consumer_info('sq') where consumer_name = 'slc'}),
	'00', 'unregistered from the node and the provider');

# a provider that is not a node of the cascade
($rc, $out, $err) = run_script($prog, $ini, '--register', '--provider=nosuch');
is($rc, 1, '--register --provider=nosuch: exit 1');
like($err, qr/nosuch: no such node in queue sq's cascade/, 'an unknown provider: a clear error');

kill 'INT', script_pid($worker);
$worker->finish;
$node{$_}->stop for keys %node;
done_testing();
