# Replication root -> branch -> two leaves over four clusters, under a load on
# the root for the whole story: inserts, updates, deletes, a key deleted
# and inserted again, one transaction in five rolled back, transactions of
# many rows.  The tables hold text with quotes, backslashes, newlines and
# non-ASCII, NULLs, bytea, numeric, timestamptz, jsonb, arrays, booleans,
# and a mixed-case table with a composite key in a mixed-case schema.  The
# branch and leaf workers are killed with -9 in the middle of batches
# (each kill at a moment a condition shows: the worker's transaction has
# written rows) and started again.  At the end every table on every node
# equals the root's (row count and an ordered checksum), and the
# subscribers' sequence is at or above the root's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Pgqd;
use SkyTools::Wait;
use SkyTools::Londiste;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my %node;
for my $name (qw(root branch leaf leaf2))
{
	my $n = PostgreSQL::Test::Cluster->new($name);
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
sub connstr { return node_connstr($node{$_[0]}); }

my $schema = q{
create table t_types (id int primary key, txt text, b bytea, n numeric,
                      ts timestamptz, j jsonb, arr int[], flag boolean);
create schema "Sch";
create table "Sch"."Mixed Case" (k1 int, k2 text, v text, primary key (k1, k2));
create sequence s_ids;
create table t_json (id int primary key, v text, n numeric, ts timestamptz,
                     flag boolean, arr text[], big int8);
};
sql($_, $schema) for keys %node;

for my $name (keys %node)
{
	PostgreSQL::Test::Utils::append_to_file("$dir/$name.ini", <<"INI");
[londiste]
db = @{[connstr($name)]} application_name=${name}_worker
queue_name = rq
logfile = $dir/$name.log
loop_delay = 0.2
local_wm_publish_period = 1
global_wm_publish_period = 1
INI
}

sub ld { my ($name, @args) = @_; return londiste("$dir/$name.ini", @args); }

my ($rc, $out, $err) = ld('root', 'create-root', 'rootnode', connstr('root'));
is($rc, 0, 'create-root') or diag($err);
($rc, $out, $err) = ld('branch', 'create-branch', 'branchnode', connstr('branch'),
	'--provider=' . connstr('root'));
is($rc, 0, 'create-branch') or diag($err);
($rc, $out, $err) = ld('leaf', 'create-leaf', 'leafnode', connstr('leaf'),
	'--provider=' . connstr('branch'));
is($rc, 0, 'create-leaf under the branch') or diag($err);
($rc, $out, $err) = ld('leaf', 'create-leaf', 'leafnode', connstr('leaf'),
	'--provider=' . connstr('branch'));
like($err, qr/already initialized as leaf/, 'create-leaf again: already initialized');
($rc, $out, $err) = ld('leaf2', 'create-leaf', 'leaf2node', connstr('leaf2'),
	'--provider=' . connstr('branch'));
is($rc, 0, 'a second leaf under the branch, on a fourth cluster') or diag($err);

($rc, $out, $err) = ld('root', 'add-table', 't_types', 'Sch.Mixed Case');
is($rc, 0, 'add-table on the root') or diag($err);
# t_json's events come from pgq.jsontriga, made by hand on the root
($rc, $out, $err) = ld('root', 'add-table', '--no-triggers', 't_json');
is($rc, 0, 'add-table --no-triggers on the root') or diag($err);
sql('root', q{create trigger t_json_json after insert or update or delete on t_json
  for each row execute procedure pgq.jsontriga('rq');
  create trigger t_json_trunc after truncate on t_json
  for each statement execute procedure pgq.jsontriga('rq');
  insert into t_json values (0, 'truncated', 1, now(), true, '{a}', 1)});
($rc, $out, $err) = ld('root', 'add-seq', 's_ids');
is($rc, 0, 'add-seq on the root') or diag($err);
for my $sub (qw(branch leaf leaf2))
{
	($rc, $out, $err) = ld($sub, 'add-table', '--expect-sync', 'public.t_types', 'Sch.Mixed Case', 't_json');
	is($rc, 0, "add-table on the $sub") or diag($err);
	($rc, $out, $err) = ld($sub, 'add-seq', 's_ids');
	is($rc, 0, "add-seq on the $sub") or diag($err);
}
($rc, $out, $err) = ld('leaf', 'tables');
like($out, qr/^public\.t_types\s+ok/m, 'tables: t_types ok on the leaf');
like($out, qr/^Sch\.Mixed Case\s+ok/m, 'tables: the mixed-case table ok on the leaf');

# the leaf refuses local writes
my ($wrc, $wout, $werr) = $node{leaf}->psql('postgres', q{insert into t_types (id) values (-1)});
like($werr, qr/change not allowed/, 'a local write on the leaf is refused');

# tickers on the root and the branch (maintenance there), workers everywhere
my %pgqd = start_pgqds($dir, root => $node{root}, branch => $node{branch});
my %worker;
sub start_worker
{
	my ($name) = @_;
	$worker{$name} = start_londiste("$dir/$name.ini", "$dir/$name");
}
start_worker($_) for qw(root branch leaf leaf2);

# the load: each transaction changes several rows of both tables
PostgreSQL::Test::Utils::append_to_file("$dir/load.sql", q{
\set id random(1, 300)
\set id2 random(1, 300)
\set r random(1, 10)
begin;
insert into t_types values (:id, E'q''uote \\\\ back\nline ü ' || :id, decode(md5(:id::text), 'hex'),
    :id * 1.25, '2024-01-01 00:00:00+00'::timestamptz + :id * interval '1 hour',
    jsonb_build_object('id', :id, 'tags', jsonb_build_array('a', null)),
    array[:id, null, 3], :id % 2 = 0)
  on conflict (id) do update set txt = excluded.txt || '!', n = t_types.n + 1, flag = not t_types.flag,
    j = t_types.j || '{"upd": true}', arr = t_types.arr || 7;
update t_types set txt = null, b = null where id = :id2;
delete from t_types where id = :id2 + 1;
insert into "Sch"."Mixed Case" values (:id % 20, 'ké' || (:id % 3), 'v' || :id)
  on conflict (k1, k2) do update set v = excluded.v;
delete from "Sch"."Mixed Case" where k1 = :id2 % 20 and k2 = 'ké0';
insert into "Sch"."Mixed Case" values (:id2 % 20, 'ké0', 'again') on conflict do nothing;
insert into t_json values (:id, E'j "q" \\\\ \t\nü' || :id, :id / 3.0, now(), :id % 3 = 0,
    array['x,y', null, E'"'], :id * 100000000000)
  on conflict (id) do update set v = t_json.v || 'u', flag = null, arr = null, n = t_json.n + 0.5;
delete from t_json where id = :id2;
select nextval('s_ids');
\if :r <= 2
rollback;
\else
commit;
\endif
});
# a TRUNCATE travels as a jsontriga event too
sql('root', 'truncate t_json');
my $load;
{
	local $ENV{PGHOST} = $node{root}->host;
	local $ENV{PGPORT} = $node{root}->port;
	$load = IPC::Run::start([ 'pgbench', '-n', '-c', '2', '-R', '300', '-T', '3600', '-f', "$dir/load.sql", 'postgres' ],
		'>', "$dir/load.out", '2>', "$dir/load.err");
}

# kills: each worker killed with -9 three times while its transaction has
# written rows, then started again
for my $round (1 .. 5)
{
	for my $name (qw(branch leaf leaf2))
	{
		ok( $node{$name}->poll_query_until('postgres', qq{
select count(*) > 0 from pg_stat_activity
 where application_name = '${name}_worker' and backend_xid is not null}),
			"$name worker mid-batch, round $round");
		kill 'KILL', $worker{$name}{KIDS}[0]{PID};
		$worker{$name}->finish;
		$node{$name}->poll_query_until('postgres', qq{
select count(*) = 0 from pg_stat_activity where application_name = '${name}_worker'});
		start_worker($name);
	}
}

# the load goes on until a few thousand transactions were made
ok( $node{root}->poll_query_until('postgres', q{select last_value >= 3000 from s_ids}),
	'the load went on');
# TERM, not INT: a suite started in the background inherits SIGINT ignored
$load->signal('TERM');
$load->finish;

# wait until every node has the root's last tick
# a last change after the load (an unknown event type would stop the workers)
sql('root', q{update t_types set n = n where id = (select min(id) from t_types)});
my $top = sql('root', q{select pgq.ticker('rq')});
$top = sql('root', q{select max(tick_id) from pgq.tick t
  join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = 'rq'});
for my $name (qw(branch leaf leaf2))
{
	ok( $node{$name}->poll_query_until('postgres',
			"select worker_last_tick >= $top from pgq_node.get_node_info('rq')"),
		"$name reached the root's last tick $top");
}

my $sum_types = q{select count(*) || ' ' || coalesce(md5(string_agg(
  concat_ws('|', id, txt, encode(b, 'hex'), n, extract(epoch from ts), j, arr, flag), ',' order by id)), '')
  from t_types};
my $sum_mixed = q{select count(*) || ' ' || coalesce(md5(string_agg(concat_ws('|', k1, k2, v), ','
  order by k1, k2)), '') from "Sch"."Mixed Case"};
my $sum_json = q{select count(*) || ' ' || coalesce(md5(string_agg(
  concat_ws('|', id, v, n, extract(epoch from ts), flag, arr, big), ',' order by id)), '')
  from t_json};
my ($rt, $rm) = (sql('root', $sum_types), sql('root', $sum_mixed));
my $rj = sql('root', $sum_json);
cmp_ok((split / /, $rj)[0], '>', 10, 't_json has rows on the root');
note("root: t_types $rt, Mixed Case $rm");
for my $name (qw(branch leaf leaf2))
{
	is(sql($name, $sum_types), $rt, "$name: t_types equals the root's");
	is(sql($name, $sum_mixed), $rm, "$name: the mixed-case table equals the root's");
	is(sql($name, $sum_json), $rj, "$name: t_json (jsontriga events) equals the root's");
	is(sql($name, q{select count(*) from t_json where v = 'truncated'}), '0',
		"$name: the row truncated on the root is gone");
}
my $root_seq = sql('root', 'select last_value from s_ids');
# the root publishes sequences every loop; the subscribers follow
for my $name (qw(branch leaf leaf2))
{
	ok( $node{$name}->poll_query_until('postgres', "select last_value >= $root_seq from s_ids"),
		"$name: sequence at or above the root's ($root_seq)");
}

# the branch's queue has the root's events and ticks (the leaf reads them)
is(sql('branch', q{select count(*) > 0 from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
  where q.queue_name = 'rq' and t.tick_id = } . $top), 't', 'the branch has the root\'s tick');

($rc, $out, $err) = ld('leaf', 'status');
like($out, qr/rootnode \(root\)/, 'status shows the root');
like($out, qr/\+--: branchnode \(branch\)/, 'the branch under it');
like($out, qr/\+--: leafnode \(leaf\)/, 'and the leaf under the branch');
like($out, qr/\+--: leaf2node \(leaf\)/, 'and the second leaf');
($rc, $out, $err) = ld('leaf', 'node-info');
like($out, qr/^Node: leafnode  Type: leaf  Queue: rq$/m, 'node-info names the node');
like($out, qr/^Provider: branchnode$/m, 'and its provider');
($rc, $out, $err) = ld('leaf', 'members');
like($out, qr/^branchnode\s+f\s+host=/m, 'members lists the cascade');

for my $name (qw(root branch leaf leaf2))
{
	kill 'INT', $worker{$name}{KIDS}[0]{PID};
	$worker{$name}->finish;
	is($worker{$name}->result(0), 0, "$name worker stops cleanly on SIGINT");
}
stop_pgqd($pgqd{$_}) for keys %pgqd;
my $logs = join('', map { -f "$dir/$_.log" ? slurp_file("$dir/$_.log") : '' } qw(root branch leaf leaf2));
unlike($logs, qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
unlike($logs, qr/host=|port=|password/, 'no connect string in the logs');
$node{$_}->stop for keys %node;
done_testing();
