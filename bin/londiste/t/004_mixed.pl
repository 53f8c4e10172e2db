# A cascade of Python Londiste (Debian's python3-londiste) and ours, as a
# migration holds them: (1) Python's worker on the root, ours on a branch
# and on a leaf under it; the root's tables added by Python, a table added
# later and copied by ours from the Python root, an EXECUTE run by Python
# on the root replayed by ours; (2) ours on the root with a Python leaf,
# which copies its tables from our root.  A load changes the roots' tables
# the whole time.  At the end every table equals its root's.  Then our
# branch takes over the Python root (switchover), which follows as a
# branch.  Skips when Python Londiste cannot be had.
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
my ($pycmd, $pypath) = python_londiste($dir);
plan skip_all => $pypath unless $pycmd;
my $py = [ $pycmd, $pypath ];

my %node;
for my $name (qw(root branch leaf))
{
	my $n = PostgreSQL::Test::Cluster->new("mx_$name");
	$n->init;
	$n->start;
	$node{$name} = $n;
}
# story 2 lives in database "two" of the root and the leaf clusters
$node{$_}->safe_psql('postgres', 'create database two') for qw(root leaf);

sub sql { my ($n, $q, $db) = @_; return $node{$n}->safe_psql($db // 'postgres', $q); }
sub connstr
{
	my ($n, $db) = @_;
	my $cs = node_connstr($node{$n});
	$cs =~ s/dbname=postgres/dbname=$db/ if $db;
	return $cs;
}

my $schema = q{
create table t_a (id int primary key, txt text, n numeric, ts timestamptz, b bytea, flag boolean);
create schema "Sch";
create table "Sch"."Mixed" (k1 int, k2 text, v text, primary key (k1, k2));
create table t_late (id int primary key, v text);
create sequence s_ids;
};
for my $n (qw(root branch leaf))
{
	sql($n, $schema);
	sql($n, $schema, 'two') if $n ne 'branch';
}
# rows that exist before the cascade: the copies must bring them
for my $db (qw(postgres two))
{
	sql('root', q{insert into t_late select g, 'pre ' || g from generate_series(1, 5000) g;
	  insert into t_a select g, E'pre \\\\ ''q''' || g, g, now(), 'x', true from generate_series(1, 200) g}, $db);
}

# ini files: one per node and story; Python reads the same keys
sub ini
{
	my ($name, $n, $db) = @_;
	PostgreSQL::Test::Utils::append_to_file("$dir/$name.ini", <<"INI");
[londiste]
job_name = $name
db = @{[connstr($n, $db)]}
queue_name = @{[ $db ? 'q2' : 'q1' ]}
logfile = $dir/$name.log
pidfile = $dir/$name.pid
loop_delay = 0.2
parallel_copies = 2
INI
	return "$dir/$name.ini";
}
my %ini = (
	root => ini('root', 'root'),
	branch => ini('branch', 'branch'),
	leaf => ini('leaf', 'leaf'),
	root2 => ini('root2', 'root', 'two'),
	leaf2 => ini('leaf2', 'leaf', 'two'));
my %python = (root => 1, leaf2 => 1);

# run a command of the node's implementation to its end
sub ld
{
	my ($name, @args) = @_;
	return $python{$name} ? pylondiste($py, $ini{$name}, @args) : londiste($ini{$name}, @args);
}
sub ok_ld
{
	my ($name, @args) = @_;
	my ($rc, $out, $err) = ld($name, @args);
	is($rc, 0, "$name (" . ($python{$name} ? 'Python' : 'ours') . "): @args")
	  or diag("out: $out\nerr: $err");
	return $out . $err;
}

# story 1: Python root, our branch and leaf
ok_ld('root', 'create-root', 'rootnode', connstr('root'));
ok_ld('branch', 'create-branch', 'branchnode', connstr('branch'), '--provider=' . connstr('root'));
ok_ld('leaf', 'create-leaf', 'leafnode', connstr('leaf'), '--provider=' . connstr('branch'));
ok_ld('root', 'add-table', 't_a', 'Sch.Mixed');
ok_ld('root', 'add-seq', 's_ids');
ok_ld('branch', 'add-table', 't_a', 'Sch.Mixed');
ok_ld('leaf', 'add-table', 't_a', 'Sch.Mixed');
ok_ld($_, 'add-seq', 's_ids') for qw(branch leaf);

# story 2: our root, a Python leaf
ok_ld('root2', 'create-root', 'root2node', connstr('root', 'two'));
ok_ld('leaf2', 'create-leaf', 'leaf2node', connstr('leaf', 'two'), '--provider=' . connstr('root', 'two'));
ok_ld('root2', 'add-table', 't_a', 'Sch.Mixed', 't_late');
ok_ld('leaf2', 'add-table', 't_a', 'Sch.Mixed', 't_late');

my %pgqd;
for my $n (qw(root branch))
{
	mkdir "$dir/pgqd_$n";
	$pgqd{$n} = start_pgqd($node{$n}, "$dir/pgqd_$n", "ticker_period = 0.2\n");
}
my %worker;
sub start_worker
{
	my ($name) = @_;
	$worker{$name} = $python{$name}
	  ? start_pylondiste($py, $ini{$name}, "$dir/$name")
	  : start_londiste($ini{$name}, "$dir/$name");
}
start_worker($_) for qw(root branch leaf root2 leaf2);

PostgreSQL::Test::Utils::append_to_file("$dir/load.sql", q{
\set id random(1, 300)
\set id2 random(1, 300)
\set r random(1, 10)
begin;
insert into t_a values (:id, E'q''uote \\\\ back\nline ü ' || :id, :id * 1.25, now(), decode(md5(:id::text), 'hex'), :id % 2 = 0)
  on conflict (id) do update set txt = excluded.txt || '!', n = t_a.n + 1, flag = not t_a.flag, b = null;
delete from t_a where id = :id2;
insert into "Sch"."Mixed" values (:id % 20, 'ké' || (:id % 3), 'v' || :id)
  on conflict (k1, k2) do update set v = excluded.v;
delete from "Sch"."Mixed" where k1 = :id2 % 20 and k2 = 'ké0';
insert into t_late values (10000 + :id, 'load') on conflict (id) do update set v = t_late.v || '+';
select nextval('s_ids');
\if :r <= 2
rollback;
\else
commit;
\endif
});
my @load;
for my $db (qw(postgres two))
{
	local $ENV{PGHOST} = $node{root}->host;
	local $ENV{PGPORT} = $node{root}->port;
	push @load, IPC::Run::start([ 'pgbench', '-n', '-c', '2', '-R', '150', '-T', '3600', '-f', "$dir/load.sql", $db ],
		'>', "$dir/load_$db.out", '2>', "$dir/load_$db.err");
}

# the Python leaf copies from our root while the load runs
ok( $node{leaf}->poll_query_until('two',
		q{select count(*) = 3 from londiste.table_info where merge_state = 'ok'}),
	'Python leaf: its three tables copied from our root and in sync');

# story 1 under way: t_late added on the Python root now, copied by ours
ok( $node{leaf}->poll_query_until('postgres', q{select count(*) > 0 from t_a}),
	'the leaf under our branch replays the Python root\'s events');
ok_ld('root', 'add-table', 't_late');
ok_ld('branch', 'add-table', 't_late');
ok_ld('leaf', 'add-table', 't_late');
ok( $node{leaf}->poll_query_until('postgres',
		q{select merge_state = 'ok' from londiste.table_info where table_name = 'public.t_late'}),
	't_late copied by our branch and our leaf from a Python-served cascade');

# an EXECUTE by Python on the root reaches our branch and leaf in order
PostgreSQL::Test::Utils::append_to_file("$dir/ddl.sql",
	"alter table t_late add column note text default 'ddl';\n");
ok_ld('root', 'execute', "$dir/ddl.sql");
for my $n (qw(branch leaf))
{
	ok( $node{$n}->poll_query_until('postgres',
			q{select count(*) = 1 from information_schema.columns
			  where table_name = 't_late' and column_name = 'note'}),
		"$n: the EXECUTE from the Python root was applied");
}

# let the load run a while more, then stop it
ok( $node{root}->poll_query_until($_, q{select last_value >= 800 from s_ids}), "load on $_ went on")
  for qw(postgres two);
for my $l (@load)
{
	$l->signal('TERM');
	$l->finish;
}

# both roots: a last tick every subscriber must reach
for my $case ([ 'postgres', 'q1', [qw(branch leaf)] ], [ 'two', 'q2', ['leaf'] ])
{
	my ($db, $q, $subs) = @$case;
	my $tick_q = qq{select max(tick_id) from pgq.tick t join pgq.queue q
	  on q.queue_id = t.tick_queue where q.queue_name = '$q'};
	my $before = sql('root', $tick_q, $db);
	# a last change (Python refuses event types it does not know)
	sql('root', q{update t_late set v = v || '.' where id = 1}, $db);
	my $top;
	ok( wait_until("a tick on $db", sub { $top = sql('root', $tick_q, $db); return $top > $before; }),
		"$db: a tick after the last event");
	for my $n (@$subs)
	{
		ok( $node{$n}->poll_query_until($db,
				"select worker_last_tick >= $top from pgq_node.get_node_info('$q')"),
			"$n/$db reached tick $top");
	}
}

my %sum = (
	't_a' => q{select count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', id, txt, n,
	  extract(epoch from ts), encode(b, 'hex'), flag), ',' order by id)), '') from t_a},
	'Sch.Mixed' => q{select count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', k1, k2, v),
	  ',' order by k1, k2)), '') from "Sch"."Mixed"},
	't_late' => q{select count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', id, v),
	  ',' order by id)), '') from t_late});
for my $t (sort keys %sum)
{
	my $r1 = sql('root', $sum{$t});
	is(sql($_, $sum{$t}), $r1, "story 1: $t on our $_ equals the Python root's") for qw(branch leaf);
	my $r2 = sql('root', $sum{$t}, 'two');
	is(sql('leaf', $sum{$t}, 'two'), $r2, "story 2: $t on the Python leaf equals our root's");
}
is(sql('leaf', q{select count(*) from t_late where note = 'ddl'}),
	sql('root', q{select count(*) from t_late where note = 'ddl'}), 'the EXECUTE\'s default reached the leaf\'s rows');

# status as each implementation shows it: the same text (lag and tick
# numbers aside), both run on the same ini file
sub masked
{
	my ($rc, $out, $err) = @_;
	# the field is padded to a width: the padding goes with the numbers
	$out =~ s/Lag: (?:\d+s|\(n\/a\)), Tick: \d+ */Lag: L, Tick: T/g;
	return "$rc\n$out";
}
for my $case ([ 'leaf', 'status' ], [ 'leaf', 'status', '--compact' ], [ 'branch', 'node-status' ],
	[ 'leaf', 'node-status' ], [ 'root2', 'status' ])
{
	my ($name, @cmd) = @$case;
	my $ours = masked(londiste($ini{$name}, @cmd));
	my $theirs = masked(pylondiste($py, $ini{$name}, @cmd));
	is($ours, $theirs, "$name: @cmd prints what Python Londiste prints");
	like($ours, qr/leafnode \(leaf\)|leaf2node \(leaf\)|branchnode \(branch\)/, "$name: @cmd names the nodes");
}

# a switchover in the mixed cascade: our branch takes over the Python
# root, which goes on as a branch of ours (its Python worker follows the
# role change); then the new root's writes reach both
my $e = ok_ld('branch', 'takeover', 'rootnode');
like($e, qr/branchnode is the root now; rootnode reads from it/, 'our takeover of the Python root');
is(sql('root', q{select node_type || '/' || provider_node from pgq_node.get_node_info('q1')}), 'branch/branchnode',
	'the Python node is a branch of ours');
my ($wrc, $wout, $werr) = $node{root}->psql('postgres', q{insert into t_a values (-5, 'old root', 0, now(), null, true)});
isnt($wrc, 0, 'the old root refuses writes');
sql('branch', q{insert into t_a values (-6, 'new root', 1, now(), 'x', false); update t_late set v = 'after switchover' where id = 1});
for my $n (qw(root leaf))
{
	ok($node{$n}->poll_query_until('postgres', q{select count(*) = 1 from t_a where id = -6}),
		"the new root's rows reach the $n");
}
for my $t (sort keys %sum)
{
	my $want = sql('branch', $sum{$t});
	is(sql($_, $sum{$t}), $want, "after the switchover: $t on $_ equals the new root's") for qw(root leaf);
}
for my $name (sort keys %worker)
{
	$worker{$name}->signal('TERM');
	$worker{$name}->finish;
}
stop_pgqd($pgqd{$_}) for keys %pgqd;
my $logs = join('', map { -f "$dir/$_.log" ? slurp_file("$dir/$_.log") : '' } qw(branch leaf root2));
unlike($logs, qr/AddressSanitizer|runtime error:/, 'no sanitizer report in our logs');
$node{$_}->stop for keys %node;
done_testing();
