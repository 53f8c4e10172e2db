# Cascade changes under a load, on three clusters: A (root), B (branch
# under A), C (leaf under B).  The load runs on A, and on B once B has
# been a root: it writes only where writes are taken (a demoted root
# refuses them; the load's function swallows the error), one transaction
# in five rolled back.
#
#  1. takeover checks refuse, changing nothing: a table still copying on
#     the new node, a lag over takeover_max_lag, an old node that does
#     not answer;
#  2. switchover A -> B, its londiste killed with -9 twice (while it
#     waits for B to reach the last tick, and after B's promotion while it
#     waits for B's worker), the same command run again each time: B is
#     the root, A a branch of B refusing writes, C under B;
#  3. change-provider of C to A and back;
#  4. switchover back B -> A;
#  5. failover: A stopped with -m immediate, `takeover A --dead-root` on B,
#     C goes on from B.  A is started again (no worker, no ticker) to see
#     what was lost: every row where A and B differ was changed by an
#     event A's queue has after B's last tick, and those are counted;
#  6. resurrect on A: its lost events in the file and out of its queue, A
#     a branch of B; resync of its tables; A follows B;
#  7. takeover of the leaf C's place under B by A (C reads from A);
#  8. tag-dead and tag-alive of C; drop-node refused for A (it feeds C),
#     done for C;
#  9. rename-node of the root B to B2: A goes on reading from it;
# 10. a leaf D under A; A dies; `takeover A --dead-branch` on B2 moves D
#     under B2.
# After each step every table on every live node equals the root's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Pgqd;
use SkyTools::Wait;
use SkyTools::Londiste;
use JSON::PP;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my %node;
for my $name (qw(A B C))
{
	my $n = PostgreSQL::Test::Cluster->new("to_$name");
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
sub connstr { return node_connstr($node{$_[0]}); }

my $schema = q{
create table t_a (id int primary key, v text, n numeric, flag boolean);
create schema "Sch";
create table "Sch"."Mixed" (k1 int, k2 text, v text, primary key (k1, k2));
create table late (id int primary key, v text);
create function load_step(i int, j int) returns void language plpgsql as $$
begin
    insert into t_a values (i, 'v ''' || i || E'\\\\', i * 1.5, i % 2 = 0)
      on conflict (id) do update set v = t_a.v || '+', n = t_a.n + 1, flag = not t_a.flag;
    delete from t_a where id = j;
    insert into "Sch"."Mixed" values (i % 20, 'k' || (i % 3), 'v' || i)
      on conflict (k1, k2) do update set v = excluded.v;
    delete from "Sch"."Mixed" where k1 = j % 20 and k2 = 'k0';
exception when others then
    null;  -- a node that takes no writes
end $$;
};
sql($_, $schema) for keys %node;
sql('A', q{insert into late select g, 'l' || g from generate_series(1, 20000) g});

my %ini;
for my $name (keys %node)
{
	$ini{$name} = "$dir/$name.ini";
	PostgreSQL::Test::Utils::append_to_file($ini{$name}, <<"INI");
[londiste]
job_name = w_$name
db = @{[connstr($name)]}
queue_name = tq
logfile = $dir/$name.log
pidfile = $dir/$name.pid
loop_delay = 0.2
admin_timeout = 30
INI
}
sub ld { my ($name, @args) = @_; return londiste($ini{$name}, @args); }
sub ok_ld
{
	my ($name, @args) = @_;
	my ($rc, $out, $err) = ld($name, @args);
	is($rc, 0, "$name: @args") or diag("out: $out\nerr: $err");
	return $err;
}

ok_ld('A', 'create-root', 'A', connstr('A'));
ok_ld('B', 'create-branch', 'B', connstr('B'), '--provider=' . connstr('A'));
ok_ld('C', 'create-leaf', 'C', connstr('C'), '--provider=' . connstr('B'));
ok_ld('A', 'add-table', 't_a', 'Sch.Mixed', 'late');
ok_ld($_, 'add-table', 't_a', 'Sch.Mixed', '--expect-sync') for qw(B C);

my %pgqd = start_pgqds($dir, %node);
my %worker;
sub start_worker { my ($n) = @_; $worker{$n} = start_londiste($ini{$n}, "$dir/$n"); }
sub kill_worker
{
	my ($n) = @_;
	kill 'KILL', $worker{$n}{KIDS}[0]{PID};
	$worker{$n}->finish;
}
start_worker($_) for qw(A B C);

PostgreSQL::Test::Utils::append_to_file("$dir/load.sql", q{
\set id random(1, 300)
\set id2 random(1, 300)
\set r random(1, 10)
begin;
select load_step(:id, :id2);
\if :r <= 2
rollback;
\else
commit;
\endif
});
my %load;
sub start_load
{
	my ($n) = @_;
	local $ENV{PGHOST} = $node{$n}->host;
	local $ENV{PGPORT} = $node{$n}->port;
	$load{$n} = IPC::Run::start([ 'pgbench', '-n', '-c', '1', '-R', '100', '-T', '3600', '-f', "$dir/load.sql", 'postgres' ],
		'>>', "$dir/load_$n.out", '2>>', "$dir/load_$n.err");
}
# pgbench gone is not its last statement done: a backend whose client
# left still finishes (and may commit) what it was sent, possibly after
# the tick all_equal compares at; so the load is over when its sessions
# are (on a node still up: a dead root's load just stops)
sub stop_load
{
	my ($n) = @_;
	$load{$n}->signal('TERM');
	$load{$n}->finish;
	delete $load{$n};
	return if $node{$n}->psql('postgres', 'select 1') != 0;
	$node{$n}->poll_query_until('postgres',
		q{select count(*) = 0 from pg_stat_activity where application_name = 'pgbench'})
	  or die "the load's sessions on $n do not end";
}
start_load('A');

my %sum = (
	t_a => q{select count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', id, v, n, flag), ',' order by id)), '') from t_a},
	mixed => q{select count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', k1, k2, v), ',' order by k1, k2)), '')
	  from "Sch"."Mixed"},
	late => q{select count(*) || ' ' || coalesce(md5(string_agg(id || v, ',' order by id)), '') from late});

# every live node has the root's last tick (after a change made on the
# root), then every table equals the root's
sub all_equal
{
	my ($root, $what, @nodes) = @_;
	# the loads rest while the nodes are compared
	my @running = sort keys %load;
	stop_load($_) for @running;
	my $tq = q{select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
	  where q.queue_name = 'tq'};
	my $before = sql($root, $tq);
	sql($root, q{insert into "Sch"."Mixed" values (-1, 'marker', now()::text)
	  on conflict (k1, k2) do update set v = excluded.v});
	my $top;
	ok(wait_until("a tick on $root", sub { $top = sql($root, $tq); $top > $before }), "$what: a last tick on $root");
	for my $n (@nodes)
	{
		ok($node{$n}->poll_query_until('postgres', "select worker_last_tick >= $top from pgq_node.get_node_info('tq')"),
			"$what: $n has tick $top");
	}
	for my $t (sort keys %sum)
	{
		my $want = sql($root, $sum{$t});
		for my $n (@nodes)
		{
			my @tables = split /\n/, sql($n, q{select table_name from londiste.table_info where local});
			next if $t eq 'late' && !grep { $_ eq 'public.late' } @tables;
			is(sql($n, $sum{$t}), $want, "$what: $t on $n equals that of ${root}");
		}
	}
	start_load($_) for @running;
}
sub types
{
	return join(' ', map { $_ . '=' . sql($_, q{select node_type || '/' || coalesce(provider_node, '')
	  from pgq_node.get_node_info('tq')}) } @_);
}

ok($node{C}->poll_query_until('postgres', q{select count(*) > 20 from t_a}), 'replicating A -> B -> C');

# 1. checks that refuse, changing nothing
my $shape = types(qw(A B C));
is($shape, 'A=root/A B=branch/A C=leaf/B', 'the cascade to begin with');
# the copy of late from A waits on the test's lock there
my $bg = $node{A}->background_psql('postgres');
$bg->query_safe('begin; lock table late in access exclusive mode');
ok_ld('B', 'add-table', 'late');
ok($node{B}->poll_query_until('postgres', q{select merge_state is distinct from 'ok' and merge_state is not null
  from londiste.table_info where table_name = 'public.late'}), 'late is being copied on B');
my ($rc, $out, $err) = ld('B', 'takeover', 'A');
is($rc, 1, 'takeover refused while a table is copying');
like($err, qr/tables not in sync: public\.late/, 'and names the table');
($rc, $out, $err) = ld('B', 'takeover', 'A', '--set=takeover_max_lag=0');
is($rc, 1, 'takeover refused over the lag bound');
like($err, qr/lags [\d.]+ s behind A, more than takeover_max_lag \(0 s\)/, 'and says by how much');
$bg->query_safe('commit');
$bg->quit;
ok($node{B}->poll_query_until('postgres', q{select merge_state = 'ok' from londiste.table_info
  where table_name = 'public.late'}), 'late copied on B');
ok_ld('C', 'add-table', 'late');
ok($node{C}->poll_query_until('postgres', q{select merge_state = 'ok' from londiste.table_info
  where table_name = 'public.late'}), 'late copied on C');
is(types(qw(A B C)), $shape, 'the refusals changed nothing');
is(sql('A', q{select queue_disable_insert from pgq.queue where queue_name = 'tq'}), 'f', 'A takes writes');

# 2. switchover A -> B, killed twice on the way
# kill 1: B's worker stopped, so the takeover waits for it to reach the last tick
kill_worker('B');
my $to = IPC::Run::start([ 'londiste', $ini{B}, 'takeover', 'A' ], '>', "$dir/to1.out", '2>', "$dir/to1.err");
ok($node{A}->poll_query_until('postgres', q{select queue_disable_insert from pgq.queue where queue_name = 'tq'}),
	'the takeover closed A to writers');
ok(wait_for_log("$dir/to1.err", qr/\[B\] waiting for the worker to complete tick/), 'and waits for B');
kill 'KILL', $to->{KIDS}[0]{PID};
$to->finish;
pass('takeover killed with -9 while waiting for B');
start_worker('B');
# kill 2: after B's promotion: a lock the test holds on B's subscriber
# list stops the takeover at its first change there, right after it
start_worker('B');
$bg = $node{B}->background_psql('postgres');
$bg->query_safe('begin; lock table pgq_node.subscriber_info in share mode');
$to = IPC::Run::start([ 'londiste', $ini{B}, 'takeover', 'A' ], '>', "$dir/to2.out", '2>', "$dir/to2.err");
ok($node{B}->poll_query_until('postgres', q{select node_type = 'root' from pgq_node.get_node_info('tq')}),
	'the second run promoted B');
ok($node{B}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where wait_event_type = 'Lock' and query like '%subscriber%'}), 'and waits on the lock');
kill 'KILL', $to->{KIDS}[0]{PID};
$to->finish;
pass('takeover killed with -9 after the promotion');
$bg->query_safe('commit');
$bg->quit;
is(types(qw(A)), 'A=root/A', 'A is still a root (writing disabled): half done');
my $e = ok_ld('B', 'takeover', 'A');
like($e, qr/promoted already; finishing the switchover/, 'the third run finishes from the step left');
is(types(qw(A B C)), 'A=branch/B B=root/B C=leaf/B', 'B is the root, A its branch, C under B');
my ($wrc, $wout, $werr) = $node{A}->psql('postgres', q{insert into t_a values (100000, 'on the old root', 0, true)});
isnt($wrc, 0, 'a write on the demoted A is refused');
like($werr, qr/disabled|disallowed/i, 'as writing disabled');
start_load('B');
$e = ok_ld('B', 'takeover', 'A');
like($e, qr/the switchover to B is done/, 'run once more: nothing left to do');
all_equal('B', 'after the switchover to B', qw(A C));

# 3. change-provider of C to A (a branch now) and back
ok_ld('C', 'change-provider', '--provider=A');
is(types(qw(C)), 'C=leaf/A', 'C reads from A');
is(sql('B', q{select count(*) from pgq_node.get_subscriber_info('tq') where node_name = 'C'}), 0,
	'and is no subscriber of B any more');
all_equal('B', 'C under A', qw(A C));
ok_ld('C', 'change-provider', '--provider=B');
is(types(qw(C)), 'C=leaf/B', 'C reads from B again');
($rc, $out, $err) = ld('B', 'change-provider', '--provider=C');
is($rc, 1, 'a root cannot change its provider');

# 4. switchover back B -> A
ok_ld('A', 'takeover', 'B');
is(types(qw(A B C)), 'A=root/A B=branch/A C=leaf/B', 'A is the root again');
all_equal('A', 'after the switchover back', qw(B C));

# status --json and node-status --json, read by a JSON parser and checked
# against each node's database
($rc, $out, $err) = ld('C', 'status', '--json');
is($rc, 0, 'status --json') or diag($err);
my $st = eval { decode_json($out) };
ok($st, 'status --json parses') or diag($@ . $out);
is($st->{root}, 'A', 'its root');
is($st->{local_node}, 'C', 'its local node');
is(join(' ', map { "$_->{name}:$_->{depth}" } @{ $st->{nodes} }), 'A:0 B:1 C:2', 'the tree, root first');
for my $nd (@{ $st->{nodes} })
{
	my $n = $nd->{name};
	my ($type, $prov, $tick) = split /\|/, sql($n, q{select node_type || '|' || coalesce(provider_node, '') || '|'
	  || worker_last_tick from pgq_node.get_node_info('tq')});
	is($nd->{type}, $type, "json: $n is a $type");
	is($nd->{provider} // '', $prov, "json: $n reads from '$prov'");
	cmp_ok($nd->{last_tick}, '<=', $tick, "json: ${n}'s last tick");
	is($nd->{tables}{ok}, sql($n, q{select count(*) from londiste.table_info where local and merge_state = 'ok'}),
		"json: ${n}'s tables in sync");
	is(scalar @{ $nd->{table_states} }, $nd->{tables}{ok} + $nd->{tables}{half}, "json: ${n}'s table states");
	ok(defined $nd->{lag_seconds} && $nd->{lag_seconds} >= 0, "json: ${n}'s lag is a number");
	ok(JSON::PP::is_bool($nd->{paused}) && !$nd->{paused}, "json: $n is not paused");
}
is(join(',', @{ $st->{nodes}[1]{subscribers} }), 'C', 'json: B feeds C');
($rc, $out, $err) = ld('B', 'node-status', '--json');
my $ns = eval { decode_json($out) };
is($ns && $ns->{name}, 'B', 'node-status --json parses and names the node');
is($ns && $ns->{provider}, 'A', 'and its provider');

# 5. failover: A dies for good (the load on B stops first: B is a
#    branch, and what is lost is counted against A's load only)
stop_load('B');
all_equal('A', 'before the failover', qw(B C));
my $len = sql('A', q{select sum(length(v)) from t_a});
ok(wait_until('more load on A', sub { sql('A', q{select sum(length(v)) from t_a}) > $len + 50 }),
	'the load runs on A');
kill_worker('A');
stop_pgqd($pgqd{A});
$node{A}->stop('immediate');
stop_load('A');
($rc, $out, $err) = ld('B', 'takeover', 'A');
is($rc, 1, 'takeover of a dead root without --dead-root: refused');
like($err, qr/A does not answer: if it is gone, use --dead-root/, 'and says what to do');
$e = ok_ld('B', 'takeover', 'A', '--dead-root');
like($e, qr/B is the root now \(failover from A at tick (\d+); A\.gravestone keeps it/, 'failover done');
my ($failover_tick) = $e =~ /failover from A at tick (\d+)/;
is(types(qw(B C)), 'B=root/B C=leaf/B', 'B is the root, C under it');
is(sql('B', q{select dead from pgq_node.get_queue_locations('tq') where node_name = 'A'}), 't', 'A tagged dead on B');
is(sql('B', q{select count(*) from pgq.get_consumer_info('tq', 'A.gravestone')}), 1, 'the gravestone is there');
all_equal('B', 'after the failover', qw(C));
($rc, $out, $err) = ld('C', 'status', '--json');
$st = eval { decode_json($out) };
is(join(' ', map { $_->{name} . ($_->{dead} ? ':dead' : '') } @{ $st->{nodes} }), 'B A:dead C',
	'status --json after the failover: A dead under B, C alive');

# what A had that B never got: A again, without worker or ticker
my $b_last = sql('B', q{select last_tick from pgq.get_consumer_info('tq', 'A.gravestone')});
$node{A}->start;
my $qid = sql('A', q{select queue_id from pgq.queue where queue_name = 'tq'});
my $lost = sql('A', qq{select count(*) || ' ' || coalesce(string_agg(distinct
    substring(e.ev_data from '(?:^|&)id=([0-9]+)'), ','), '')
  from pgq.event_$qid e, pgq.tick t where t.tick_queue = $qid and t.tick_id = $b_last
    and e.ev_extra1 = 'public.t_a'
    and not txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)});
my ($nlost, $ids) = split / /, $lost, 2;
my %touched = map { $_ => 1 } split /,/, ($ids // '');
note("events of t_a on A after B's last tick $b_last: $nlost, keys " . join(',', sort { $a <=> $b } keys %touched));
my %a = map { (split /\|/)[0] => $_ } split /\n/, sql('A', q{select concat_ws('|', id, v, n, flag) from t_a});
my %b = map { (split /\|/)[0] => $_ } split /\n/, sql('B', q{select concat_ws('|', id, v, n, flag) from t_a});
my @differ = grep { ($a{$_} // '') ne ($b{$_} // '') } keys %{ { %a, %b } };
my @unexplained = grep { !$touched{$_} } @differ;
is("@unexplained", '', 'every row where A and B differ was changed by an event B never got');
note(scalar(@differ) . " rows of t_a differ; $nlost events lost with A");
cmp_ok(scalar(@differ), '<=', $nlost, 'no more rows differ than events were lost');

# resurrect: A comes back as a branch of B, its lost events in a file
my $all_lost = sql('A', qq{select count(*) from pgq.event_$qid e, pgq.tick t where t.tick_queue = $qid
  and t.tick_id = $b_last and not txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)});
{
	require Cwd;
	my $cwd = Cwd::getcwd();
	chdir $dir;
	($rc, $out, $err) = ld('A', 'resurrect');
	chdir $cwd;
}
is($rc, 0, 'resurrect') or diag($err);
my $lostfile = "$dir/resurrect-lost-events.json";
my $lostev = -f $lostfile ? decode_json(slurp_file($lostfile)) : [];
is(scalar(@$lostev), $all_lost, "the $all_lost events B never got are in the file");
is(scalar(grep { ($_->{ev_extra1} // '') eq 'public.t_a' } @$lostev), $nlost, "$nlost of them of t_a");
is(sql('A', qq{select count(*) from pgq.event_$qid e, pgq.tick t where t.tick_queue = $qid
  and t.tick_id = $b_last and not txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)}), 0,
	'and out of A\'s queue');
is(types(qw(A)), 'A=branch/B', 'A is a branch of B');
is(sql('B', q{select count(*) from pgq.get_consumer_info('tq', 'A.gravestone')}), 0, 'the gravestone is gone');
is(sql('B', q{select count(*) from pgq_node.get_subscriber_info('tq') where node_name = 'A'}), 1,
	'A subscribes to B');
ok($node{C}->poll_query_until('postgres', q{select not dead from pgq_node.get_queue_locations('tq')
  where node_name = 'A'}), 'A alive again on C');
($rc, $out, $err) = ld('A', 'resurrect');
like($err, qr/resurrected already/, 'resurrect again: nothing left');
# the operator reconciles A's tables, then A follows B
start_worker('A');
ok_ld('A', 'resume');
ok_ld('A', 'resync', 't_a', 'Sch.Mixed', 'late');
ok($node{A}->poll_query_until('postgres', q{select bool_and(merge_state = 'ok') from londiste.table_info where local}),
	'A copied its tables again from B');

# C goes on from the new root
start_load('B');
ok($node{C}->poll_query_until('postgres', q{select count(*) > 0 from t_a where v like '%+++%'}),
	'C goes on with B\'s writes');
stop_load('B');
all_equal('B', 'at the end', qw(A C));

# 7. a branch takes over a leaf's provider role: C reads from A
$e = ok_ld('A', 'takeover', 'C');
is(types(qw(C)), 'C=leaf/A', 'takeover of a leaf by a branch: C reads from A');
all_equal('B', 'C under A again', qw(A C));

# 8. tag-dead, tag-alive, drop-node
ok_ld('B', 'tag-dead', 'C');
# (each node is told at once; the root's location events come after and
# say the same in the end: polled)
for my $n (qw(A B))
{
	ok($node{$n}->poll_query_until('postgres', q{select dead from pgq_node.get_queue_locations('tq')
	  where node_name = 'C'}), "C tagged dead on $n");
}
ok_ld('B', 'tag-alive', 'C');
for my $n (qw(A B C))
{
	ok($node{$n}->poll_query_until('postgres', q{select not dead from pgq_node.get_queue_locations('tq')
	  where node_name = 'C'}), "C alive again on $n");
}
($rc, $out, $err) = ld('B', 'drop-node', 'A');
is($rc, 1, 'drop-node of a node that feeds another: refused');
like($err, qr/A still feeds C: move it first/, 'and says which');
kill 'INT', $worker{C}{KIDS}[0]{PID};
$worker{C}->finish;
ok_ld('B', 'drop-node', 'C');
is(sql('B', q{select count(*) from pgq_node.get_queue_locations('tq') where node_name = 'C'}), 0, 'C is no member of B');
ok($node{A}->poll_query_until('postgres', q{select count(*) = 0 from pgq_node.get_queue_locations('tq')
  where node_name = 'C'}), 'nor of A');
is(sql('A', q{select count(*) from pgq_node.get_subscriber_info('tq') where node_name = 'C'}), 0,
	'A does not hold C as a subscriber');
is(sql('C', q{select count(*) from pgq_node.node_info}), 0, 'C is dropped on itself');
delete $worker{C};

# 9. rename-node: the root B is called B2, A follows it under that name
ok_ld('A', 'rename-node', 'B', 'B2');
is(sql('B', q{select node_type || '/' || node_name from pgq_node.get_node_info('tq')}), 'root/B2', 'B is called B2');
is(types(qw(A)), 'A=branch/B2', 'A reads from B2');
is(sql('A', q{select string_agg(node_name, ',' order by node_name) from pgq_node.get_queue_locations('tq')}),
	'A,B2', 'the members know B2, not B');
is(sql('B', q{select string_agg(subscriber_node || ' ' || watermark_name, ',') from pgq_node.subscriber_info}),
	'A .A.watermark', 'B2 still holds A as its subscriber');
sql('B', q{insert into t_a values (-9, 'after the rename', 0, true)});
ok($node{A}->poll_query_until('postgres', q{select count(*) = 1 from t_a where id = -9}),
	'A replicates from B2');

# 10. --dead-branch: a leaf D under the branch A; A dies; B2 takes A's
#     place and D reads from B2
$node{D} = PostgreSQL::Test::Cluster->new('to_D');
$node{D}->init;
$node{D}->start;
sql('D', $schema);
$ini{D} = "$dir/D.ini";
PostgreSQL::Test::Utils::append_to_file($ini{D}, "[londiste]\njob_name = w_D\ndb = " . connstr('D')
	  . "\nqueue_name = tq\nlogfile = $dir/D.log\npidfile = $dir/D.pid\nloop_delay = 0.2\nadmin_timeout = 30\n");
ok_ld('D', 'create-leaf', 'D', connstr('D'), '--provider=' . connstr('A'));
ok_ld('D', 'add-table', 't_a');
start_worker('D');
ok($node{D}->poll_query_until('postgres', q{select merge_state = 'ok' from londiste.table_info
  where table_name = 'public.t_a'}), 'D copied t_a from A');
kill_worker('A');
$node{A}->stop('immediate');
$e = ok_ld('B', 'takeover', 'A', '--dead-branch');
is(types(qw(D)), 'D=leaf/B2', 'D reads from B2 after the dead branch A');
is(sql('B', q{select dead from pgq_node.get_queue_locations('tq') where node_name = 'A'}), 't', 'A tagged dead');
sql('B', q{insert into t_a values (-10, 'after the dead branch', 0, true)});
ok($node{D}->poll_query_until('postgres', q{select count(*) = 1 from t_a where id = -10}),
	'D replicates from B2 (its copy snapshot, of A\'s txids, is gone)');
delete $worker{A};

for my $n (sort keys %worker)
{
	kill 'INT', $worker{$n}{KIDS}[0]{PID};
	$worker{$n}->finish;
}
stop_pgqd($pgqd{$_}) for qw(B C);
my $logs = join('', map { -f "$dir/$_.log" ? slurp_file("$dir/$_.log") : '' } qw(A B C D));
unlike($logs, qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
$node{$_}->stop for qw(B C D);
done_testing();
