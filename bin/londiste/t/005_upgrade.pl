# Migration of a live cascade from upstream to ours.  A root and a leaf
# run upstream's whole stack (Debian's pgq 3.5, pgq_node, londiste-sql 3.8
# and pgqd, Python Londiste's workers) under a load on the root.  Then the
# leaf is taken over: its Python worker stops, the cluster is served by
# our build, ALTER EXTENSION ... UPDATE takes its extensions to ours, and
# our worker goes on from the tick the Python one completed while the
# Python root keeps feeding it.  Then the root the same way, with our pgqd
# and root worker.  At the end the leaf's tables equal the root's: nothing
# lost, nothing applied twice.  Skips when upstream's packages cannot be
# had.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Pgqd;
use SkyTools::Wait;
use SkyTools::Londiste;
use SkyTools::Upstream;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my ($upstream, $why) = upstream_tree();
plan skip_all => $why unless $upstream;
my ($up_pgqd, $why2) = upstream_pgqd();
plan skip_all => $why2 unless $up_pgqd;
my ($pycmd, $pypath) = python_londiste($dir);
plan skip_all => $pypath unless $pycmd;
my $py = [ $pycmd, $pypath ];

my %node;
for my $name (qw(root leaf))
{
	my $n = PostgreSQL::Test::Cluster->new("up_$name", install_path => $upstream);
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
plan skip_all => "upstream londiste not in $upstream"
  unless sql('root', q{select count(*) from pg_available_extensions where name = 'londiste'});

my $schema = q{
create table t_a (id int primary key, txt text, n numeric, flag boolean);
create table "Mixed Case" (k1 int, k2 text, v text, primary key (k1, k2));
create sequence s_ids;
};
sql($_, $schema) for qw(root leaf);
sql('root', q{insert into t_a select g, 'pre ' || g, g, true from generate_series(1, 1000) g});

my %ini;
for my $name (qw(root leaf))
{
	$ini{$name} = "$dir/$name.ini";
	PostgreSQL::Test::Utils::append_to_file($ini{$name}, <<"INI");
[londiste]
job_name = $name
db = @{[node_connstr($node{$name})]}
queue_name = uq
logfile = $dir/$name.log
pidfile = $dir/$name.pid
loop_delay = 0.2
INI
}
sub py_ok
{
	my ($name, @args) = @_;
	my ($rc, $out, $err) = pylondiste($py, $ini{$name}, @args);
	is($rc, 0, "Python on $name: @args") or diag("out: $out\nerr: $err");
}
py_ok('root', 'create-root', 'rootnode', node_connstr($node{root}));
py_ok('leaf', 'create-leaf', 'leafnode', node_connstr($node{leaf}), '--provider=' . node_connstr($node{root}));
py_ok('root', 'add-table', 't_a', 'Mixed Case');
py_ok('root', 'add-seq', 's_ids');
py_ok('leaf', 'add-table', 't_a', 'Mixed Case');
py_ok('leaf', 'add-seq', 's_ids');
is(sql('leaf', q{select extversion from pg_extension where extname = 'londiste'}), '3.8',
	'the leaf runs upstream\'s londiste 3.8');

mkdir "$dir/pgqd";
my $pgqd = start_pgqd($node{root}, "$dir/pgqd", "ticker_period = 0.2\n", binary => $up_pgqd);
my %worker = (
	root => start_pylondiste($py, $ini{root}, "$dir/root"),
	leaf => start_pylondiste($py, $ini{leaf}, "$dir/leaf"));

PostgreSQL::Test::Utils::append_to_file("$dir/load.sql", q{
\set id random(1, 300)
\set id2 random(1, 300)
\set r random(1, 10)
begin;
insert into t_a values (:id, E'q''uote \\\\ ü ' || :id, :id * 1.5, true)
  on conflict (id) do update set txt = excluded.txt || '!', n = t_a.n + 1, flag = not t_a.flag;
delete from t_a where id = :id2;
insert into "Mixed Case" values (:id % 20, 'k' || (:id % 3), 'v' || :id)
  on conflict (k1, k2) do update set v = excluded.v;
select nextval('s_ids');
\if :r <= 2
rollback;
\else
commit;
\endif
});
my $load;
sub start_load
{
	local $ENV{PGHOST} = $node{root}->host;
	local $ENV{PGPORT} = $node{root}->port;
	$load = IPC::Run::start([ 'pgbench', '-n', '-c', '2', '-R', '150', '-T', '3600', '-f', "$dir/load.sql", 'postgres' ],
		'>>', "$dir/load.out", '2>>', "$dir/load.err");
}
sub stop_load
{
	$load->signal('TERM');
	$load->finish;
}
start_load();

ok( $node{leaf}->poll_query_until('postgres',
		q{select count(*) = 2 from londiste.table_info where merge_state = 'ok'}),
	'Python leaf copied its tables');
my $seq = sql('root', 'select last_value from s_ids');
ok($node{root}->poll_query_until('postgres', 'select last_value >= ' . ($seq + 300) . ' from s_ids'),
	'the load goes on under upstream');

# the leaf: Python stops, our build takes the cluster over
$worker{leaf}->signal('TERM');
$worker{leaf}->finish;
my $stopped_at = sql('leaf', q{select worker_last_tick from pgq_node.get_node_info('uq')});
$node{leaf}->stop;
switch_install($node{leaf}, our_tree());
$node{leaf}->start;
sql('leaf', "alter extension $_ update") for qw(pgq pgq_node londiste);
is(sql('leaf', q{select extversion from pg_extension where extname = 'londiste'}), '3.9',
	'the leaf\'s londiste updated to ours');
$worker{leaf} = start_londiste($ini{leaf}, "$dir/leaf");
ok( $node{leaf}->poll_query_until('postgres',
		"select worker_last_tick > $stopped_at from pgq_node.get_node_info('uq')"),
	"our worker goes on after tick $stopped_at where Python stopped");
$seq = sql('root', 'select last_value from s_ids');
ok($node{root}->poll_query_until('postgres', 'select last_value >= ' . ($seq + 300) . ' from s_ids'),
	'the load goes on: Python root, our leaf');

# the root: load, Python worker and upstream's pgqd stop; ours take over
stop_load();
$worker{root}->signal('TERM');
$worker{root}->finish;
stop_pgqd($pgqd);
$node{root}->stop;
switch_install($node{root}, our_tree());
$node{root}->start;
sql('root', "alter extension $_ update") for qw(pgq pgq_node londiste);
is(sql('root', q{select extversion from pg_extension where extname = 'londiste'}), '3.9',
	'the root\'s londiste updated to ours');
$pgqd = start_pgqd($node{root}, "$dir/pgqd", "ticker_period = 0.2\n");
$worker{root} = start_londiste($ini{root}, "$dir/root");
start_load();
$seq = sql('root', 'select last_value from s_ids');
ok($node{root}->poll_query_until('postgres', 'select last_value >= ' . ($seq + 300) . ' from s_ids'),
	'the load goes on: our root, our leaf');
stop_load();

my $tick_q = q{select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
  where q.queue_name = 'uq'};
my $before = sql('root', $tick_q);
sql('root', q{update t_a set n = n where id = (select min(id) from t_a)});
my $top;
ok(wait_until('a last tick', sub { $top = sql('root', $tick_q); return $top > $before; }), 'a last tick');
ok( $node{leaf}->poll_query_until('postgres', "select worker_last_tick >= $top from pgq_node.get_node_info('uq')"),
	"the leaf reached tick $top");

my %sum = (
	t_a => q{select count(*) || ' ' || md5(string_agg(concat_ws('|', id, txt, n, flag), ',' order by id)) from t_a},
	mixed => q{select count(*) || ' ' || md5(string_agg(concat_ws('|', k1, k2, v), ',' order by k1, k2))
	  from "Mixed Case"});
is(sql('leaf', $sum{$_}), sql('root', $sum{$_}), "$_: the leaf equals the root") for sort keys %sum;
my $root_seq = sql('root', 'select last_value from s_ids');
ok($node{leaf}->poll_query_until('postgres', "select last_value >= $root_seq from s_ids"),
	'the leaf\'s sequence follows the root\'s');

for my $name (qw(root leaf))
{
	kill 'INT', $worker{$name}{KIDS}[0]{PID};
	$worker{$name}->finish;
}
stop_pgqd($pgqd);
my $logs = join('', map { slurp_file("$dir/$_.log") } qw(root leaf));
unlike($logs, qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
$node{$_}->stop for keys %node;
done_testing();
