# The initial copy, root -> branch -> leaf and root -> leaf (a second leaf,
# "direct", right under the root), under a load on the root: a
# table of a million rows, a small one and one with a foreign key to the
# big one are added to subscribers that have them empty; each is copied
# by a process of its own while the worker replays the others.  The copy
# process is killed with -9 during its COPY, the worker during a copy,
# and the copy process again while it catches up (held there by a lock
# the test takes); each comes back and goes on.  The direct leaf's copy
# process and worker are killed during its copy too.  At the end every table
# on every node equals the root's, the foreign key is back, and no copy
# consumer is left registered.  Then compare and repair find, name and
# fix rows planted on the leaves (under the branch and under the root).
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
for my $name (qw(root branch leaf direct))
{
	my $n = PostgreSQL::Test::Cluster->new("copy_$name");
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
sub connstr { return node_connstr($node{$_[0]}); }

my $schema = q{
create table big (id int primary key, v text, n int);
create index big_n on big (n);
create table small (id int primary key, v text);
create table kid (id int primary key, big_id int references big);
};
sql($_, $schema) for keys %node;
sql('root', q{
insert into big select i, md5(i::text), i % 1000 from generate_series(1, 1000000) i;
insert into small select i, 's' || i from generate_series(1, 1000) i;
insert into kid select i, i * 14 from generate_series(1, 1000) i;
});

for my $name (keys %node)
{
	PostgreSQL::Test::Utils::append_to_file("$dir/$name.ini", <<"INI");
[londiste]
db = @{[connstr($name)]}
queue_name = cq
logfile = $dir/$name.log
pidfile = $dir/$name.pid
loop_delay = 0.2
parallel_copies = 2
INI
}

sub ld { my ($name, @args) = @_; return londiste("$dir/$name.ini", @args); }
my ($rc, $out, $err);
($rc, $out, $err) = ld('root', 'create-root', 'root', connstr('root'));
is($rc, 0, 'create-root') or diag($err);
($rc, $out, $err) = ld('branch', 'create-branch', 'branch', connstr('branch'), '--provider=' . connstr('root'));
is($rc, 0, 'create-branch') or diag($err);
($rc, $out, $err) = ld('leaf', 'create-leaf', 'leaf', connstr('leaf'), '--provider=' . connstr('branch'));
is($rc, 0, 'create-leaf') or diag($err);
($rc, $out, $err) = ld('direct', 'create-leaf', 'direct', connstr('direct'), '--provider=' . connstr('root'));
is($rc, 0, 'create-leaf right under the root') or diag($err);
($rc, $out, $err) = ld('root', 'add-table', 'big', 'small', 'kid');
is($rc, 0, 'add-table on the root') or diag($err);

my %pgqd = start_pgqds($dir, root => $node{root}, branch => $node{branch});
my %worker;
sub start_worker
{
	my ($name) = @_;
	$worker{$name} = start_londiste("$dir/$name.ini", "$dir/$name");
}
start_worker($_) for qw(root branch leaf direct);

PostgreSQL::Test::Utils::append_to_file("$dir/load.sql", q{
\set id random(1, 1000000)
\set even 2 * (:id / 2)
\set s random(1, 1200)
\set r random(1, 10)
begin;
update big set n = n + 1, v = v || 'x' where id = :id;
delete from big where id = :even + 1;
insert into big values (:even + 1, 'again', 0) on conflict (id) do nothing;
insert into small values (:s, 'ins') on conflict (id) do update set v = excluded.v || small.v;
-- kid refers to even rows only: the load never deletes one of those
update kid set big_id = greatest(:even, 2) where id = :s % 1000 + 1;
\if :r <= 2
rollback;
\else
commit;
\endif
});
my $load;
{
	local $ENV{PGHOST} = $node{root}->host;
	local $ENV{PGPORT} = $node{root}->port;
	$load = IPC::Run::start([ 'pgbench', '-n', '-c', '2', '-R', '200', '-T', '3600', '-f', "$dir/load.sql", 'postgres' ],
		'>', "$dir/load.out", '2>', "$dir/load.err");
}
ok($node{root}->poll_query_until('postgres', q{select exists (select 1 from big where v like '%x')}),
	'the load runs');

# --- the branch copies from the root ---
($rc, $out, $err) = ld('branch', 'add-table', 'big', 'small', 'kid');
is($rc, 0, 'add-table on the branch, no --expect-sync') or diag($err);

sub copy_pid
{
	my ($name, $table) = @_;
	my $f = "$dir/$name.pid.copy.$table";
	return undef unless -f $f;
	my $pid = slurp_file($f);
	chomp $pid;
	return $pid =~ /^\d+$/ ? $pid : undef;
}

# 1. the copy process killed during its COPY
ok( $node{branch}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where query like 'copy public.big %from stdin%' and state = 'active'}),
	'the copy of big is in its COPY');
my $pid = wait_until('the copy pid', sub { copy_pid('branch', 'public.big') });
ok(kill('KILL', $pid), "copy process $pid killed with -9 during its COPY");
ok( $node{branch}->poll_query_until('postgres', q{select count(*) = 0 from pg_stat_activity
  where query like 'copy public.big %from stdin%' and state = 'active'}),
	'its transaction is gone');

# 2. the worker killed while a copy is on, and started again
ok( $node{branch}->poll_query_until('postgres', q{select count(*) > 0 from londiste.get_table_list('cq')
  where local and merge_state is distinct from 'ok' and merge_state is not null}),
	'a copy is on');
kill 'KILL', $worker{branch}{KIDS}[0]{PID};
$worker{branch}->finish;
start_worker('branch');

# 3. the copy process killed while it catches up: the test's lock on big,
#    asked for during the COPY, is granted when the copy commits, and then
#    holds the copy in catching-up
ok( $node{branch}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where query like 'copy public.big %from stdin%' and state = 'active'}),
	'the copy of big runs again');
my $bg = $node{branch}->background_psql('postgres', on_error_stop => 0);
$bg->{stdin} .= "begin;\nlock table big in access exclusive mode;\n\\echo locked\n";
ok( $node{branch}->poll_query_until('postgres', q{select merge_state = 'catching-up'
  from londiste.get_table_list('cq') where table_name = 'public.big'}),
	'big is catching up');
$bg->{run}->pump_nb;
ok( $node{branch}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where wait_event_type = 'Lock'
    and query ~ '^(update only|delete from only|insert into) public\.big '}),
	'the copy waits on the lock, in the middle of a batch');
$pid = copy_pid('branch', 'public.big');
ok(kill('KILL', $pid), "copy process $pid killed with -9 while catching up");
$bg->query_safe('commit');
$bg->quit;

ok( $node{branch}->poll_query_until('postgres', q{select bool_and(merge_state = 'ok')
  from londiste.get_table_list('cq') where local}),
	'every table ok on the branch');

# --- the leaf copies from the branch ---
($rc, $out, $err) = ld('leaf', 'add-table', 'big', 'small', 'kid');
is($rc, 0, 'add-table on the leaf') or diag($err);
ok( $node{leaf}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where query like 'copy public.big %from stdin%' and state = 'active'}),
	'the leaf copies big from the branch');
$pid = wait_until('the copy pid', sub { copy_pid('leaf', 'public.big') });
ok(kill('KILL', $pid), "the leaf's copy process killed with -9 during its COPY");
ok( $node{leaf}->poll_query_until('postgres', q{select bool_and(merge_state = 'ok')
  from londiste.get_table_list('cq') where local}),
	'every table ok on the leaf');
($rc, $out, $err) = ld('leaf', 'wait-sync');
is($rc, 0, 'wait-sync returns');

# --- the direct leaf copies from the root: its copy process killed
#     during the COPY, then its worker ---
($rc, $out, $err) = ld('direct', 'add-table', 'big', 'small', 'kid');
is($rc, 0, 'add-table on the direct leaf') or diag($err);
ok( $node{direct}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where query like 'copy public.big %from stdin%' and state = 'active'}),
	'the direct leaf copies big from the root');
$pid = wait_until('the copy pid', sub { copy_pid('direct', 'public.big') });
ok(kill('KILL', $pid), "the direct leaf's copy process killed with -9 during its COPY");
ok( $node{direct}->poll_query_until('postgres', q{select count(*) > 0 from pg_stat_activity
  where query like 'copy public.big %from stdin%' and state = 'active'}),
	'its copy of big runs again');
kill 'KILL', $worker{direct}{KIDS}[0]{PID};
$worker{direct}->finish;
start_worker('direct');
ok( $node{direct}->poll_query_until('postgres', q{select bool_and(merge_state = 'ok')
  from londiste.get_table_list('cq') where local}),
	'every table ok on the direct leaf');

# the load stops; every node catches up with the root's last tick
# TERM, not INT: a suite started in the background inherits SIGINT ignored
$load->signal('TERM');
$load->finish;
sql('root', q{insert into small values (-1, 'end') on conflict (id) do update set v = 'end'});
$node{root}->poll_query_until('postgres', q{select pgq.ticker('cq') is not null});
my $top = sql('root', q{select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
  where q.queue_name = 'cq'});
for my $name (qw(branch leaf direct))
{
	ok( $node{$name}->poll_query_until('postgres',
			"select worker_last_tick >= $top from pgq_node.get_node_info('cq')"),
		"$name at the root's last tick");
}

my %sum = (
	big => q{select count(*) || ' ' || md5(string_agg(id || ':' || v || ':' || n, ',' order by id)) from big},
	small => q{select count(*) || ' ' || md5(string_agg(id || ':' || v, ',' order by id)) from small},
	kid => q{select count(*) || ' ' || md5(string_agg(id || ':' || coalesce(big_id, -1), ',' order by id)) from kid},
);
for my $t (sort keys %sum)
{
	my $want = sql('root', $sum{$t});
	for my $name (qw(branch leaf direct))
	{
		is(sql($name, $sum{$t}), $want, "$name: $t equals the root's");
	}
}
for my $name (qw(branch leaf direct))
{
	ok( $node{$name}->poll_query_until('postgres', q{select count(*) = 1 from pg_constraint
  where conrelid = 'kid'::regclass and contype = 'f'}),
		"$name: the foreign key of kid is back");
	is(sql($name, q{select count(*) from londiste.pending_fkeys}), 0, "$name: no pending foreign key");
	is(sql($name, q{select string_agg(indexrelid::regclass::text, ',' order by indexrelid::regclass::text) from pg_index
  where indrelid = 'big'::regclass}), 'big_n,big_pkey', "$name: big's indexes rebuilt");
}
for my $name (qw(root branch))
{
	is(sql($name, q{select count(*) from pgq.get_consumer_info('cq') where consumer_name like '%.copy.%'}),
		0, "$name: no copy consumer left");
}

# compare and repair on the million rows: a leaf whose provider is the
# branch, and the leaf right under the root; one row missing, one
# changed, one extra on each, named, repaired, then equal
for my $name (qw(leaf direct))
{
	sql($name, q{set session_replication_role = replica; delete from big where id = 500000;
	  update big set v = 'planted' where id = 600000; insert into big values (-5, 'extra', 0)});
	my ($crc, $cout, $cerr) = ld($name, 'compare', 'big');
	is($crc, 1, "$name: compare of big finds the difference");
	like($cout, qr/^public\.big: missing here: key \(500000\)$/m, "$name: the missing row");
	like($cout, qr/^public\.big: differs: key \(600000\)$/m, "$name: the changed row");
	like($cout, qr/^public\.big: extra here: key \(-5\)$/m, "$name: the extra row");
	($crc, $cout, $cerr) = ld($name, 'repair', 'big', '--apply');
	like($cerr, qr/missed: 1 inserts, 1 updates, 1 deletes/, "$name: repair --apply");
	($crc, $cout, $cerr) = ld($name, 'compare', 'big');
	is($crc, 0, "$name: compare matches after the repair") or diag($cout . $cerr);
}

for my $name (qw(root branch leaf direct))
{
	kill 'INT', $worker{$name}{KIDS}[0]{PID};
	$worker{$name}->finish;
}
stop_pgqd($pgqd{$_}) for keys %pgqd;
my $logs = join('', map { -f "$dir/$_.log" ? slurp_file("$dir/$_.log") : '' } qw(root branch leaf direct));
like($logs, qr/copy public\.big done: \d+ rows/, 'the log tells the copy\'s rows and rate');
unlike($logs, qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
unlike($logs, qr/host=|port=|password/, 'no connect string in the logs');
$node{$_}->stop for keys %node;
done_testing();
