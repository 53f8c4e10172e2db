# DDL through the queue: `execute` on the root, replayed on a branch and a
# leaf at its place in the stream, while a load writes on the root.  A
# file adds a column and back-fills it: every node ends with the column
# and equal data; the same file again is a no-op.  A file whose
# Local-Table is not local on the leaf is recorded there and skipped, and
# its @name@ tag becomes the local table's name elsewhere.  Bad files (a
# meta-attribute line that does not parse, an unknown key, a statement
# that fails) are refused and change nothing.  Also check (structure
# against the provider's) and fkeys.
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
for my $name (qw(root branch leaf))
{
	my $n = PostgreSQL::Test::Cluster->new("ex_$name");
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
sql($_, q{create table t (id int primary key, v text);
  create table extra (id int primary key, v text)}) for keys %node;
my %ini = map { $_ => londiste_ini($dir, $_, $node{$_}, 'eq') } keys %node;
sub ld { my ($n, @a) = @_; return londiste($ini{$n}, @a); }
sub ok_ld { my ($n, @a) = @_; return (londiste_ok($ini{$n}, @a))[1]; }
ok_ld('root', 'create-root', 'root', node_connstr($node{root}));
ok_ld('branch', 'create-branch', 'branch', node_connstr($node{branch}), '--provider=' . node_connstr($node{root}));
ok_ld('leaf', 'create-leaf', 'leaf', node_connstr($node{leaf}), '--provider=' . node_connstr($node{branch}));
ok_ld('root', 'add-table', 't', 'extra');
ok_ld('branch', 'add-table', 't', 'extra', '--expect-sync');
ok_ld('leaf', 'add-table', 't', '--expect-sync');
my %pgqd = start_pgqds($dir, root => $node{root}, branch => $node{branch});
my %w = map { $_ => start_londiste($ini{$_}, "$dir/$_") } keys %node;

PostgreSQL::Test::Utils::append_to_file("$dir/load.sql", q{
\set id random(1, 2000)
insert into t values (:id, 'v' || :id) on conflict (id) do update set v = t.v || 'u';
});
my $load;
{
	local $ENV{PGHOST} = $node{root}->host;
	local $ENV{PGPORT} = $node{root}->port;
	$load = IPC::Run::start([ 'pgbench', '-n', '-c', '2', '-R', '200', '-T', '3600', '-f', "$dir/load.sql", 'postgres' ],
		'>', "$dir/load.out", '2>', "$dir/load.err");
}
ok($node{leaf}->poll_query_until('postgres', q{select count(*) > 50 from t}), 'replicating under load');

sub file { my ($name, $text) = @_; PostgreSQL::Test::Utils::append_to_file("$dir/$name", $text); return "$dir/$name"; }
my $f1 = file('add_w.sql', <<'SQL');
--*-- Local-Table: t
-- a column for the length, filled for the rows there are
alter table @t@ add column w int;
update @t@ set w = length(v) where v <> 'it''s; not $$ a split';
SQL
ok_ld('root', 'execute', $f1);
ok($node{root}->poll_query_until('postgres', q{select count(*) > 0 from t where w is null}),
	'the load goes on after the file');

my $f2 = file('extra_note.sql', <<'SQL');
--*-- Local-Table: extra
alter table @extra@ add column note text default 'n';
SQL
ok_ld('root', 'execute', $f2);

# bad files change nothing
my ($rc, $out, $err) = ld('root', 'execute', file('bad1.sql', "--*-- Local-Table extra\nalter table extra add column z int;\n"));
is($rc, 1, 'a meta-attribute line that does not parse: exit 1');
like($err, qr/meta-attribute line 1 does not parse/, 'and says where');
($rc, $out, $err) = ld('root', 'execute', file('bad2.sql', "--*-- Local-Tabel: extra\nalter table extra add column z int;\n"));
like($err, qr/unknown meta-attribute on line 1: local-tabel/, 'an unknown key is named');
($rc, $out, $err) = ld('root', 'execute', file('bad3.sql', "alter table extra add column z int;\n\nalter table nosuch add column z int;\n"));
is($rc, 1, 'a failing statement: exit 1');
like($err, qr/bad3\.sql, statement at line 3: relation "nosuch" does not exist/, 'named with its line');
is(sql('root', q{select count(*) from information_schema.columns where table_name = 'extra' and column_name = 'z'}), 0,
	'the statement before it is undone');
is(sql('root', q{select count(*) from londiste.applied_execute where execute_file like 'bad%'}), 0,
	'no bad file recorded');

# the same file again: a no-op
($rc, $out, $err) = ld('root', 'execute', $f1);
is($rc, 0, 'the same file again');
is(sql('root', q{select count(*) from londiste.applied_execute where execute_file = 'add_w.sql'}), 1, 'recorded once');

$load->signal('TERM');
$load->finish;
my $tq = q{select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = 'eq'};
my $before = sql('root', $tq);
sql('root', q{update t set v = v where id = (select min(id) from t)});
my $top;
ok(wait_until('a last tick', sub { $top = sql('root', $tq); $top > $before }), 'a last tick');
for my $n (qw(branch leaf))
{
	ok($node{$n}->poll_query_until('postgres', "select worker_last_tick >= $top from pgq_node.get_node_info('eq')"),
		"$n has tick $top");
}
my $sum = q{select count(*) || ' ' || count(w) || ' ' || md5(string_agg(concat_ws('|', id, v, w), ',' order by id)) from t};
my $want = sql('root', $sum);
like($want, qr/^\d+ [1-9]\d* /, "the root: $want");
is(sql($_, $sum), $want, "$_: t with its new column equals the root's") for qw(branch leaf);
is(sql('branch', q{select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns
  where table_name = 'extra'}), 'id,v,note', 'the branch has extra\'s new column (@extra@ substituted)');
is(sql('leaf', q{select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns
  where table_name = 'extra'}), 'id,v', 'the leaf, where extra is not local, skipped the file');
is(sql('leaf', q{select string_agg(execute_file, ',' order by execute_file) from londiste.applied_execute}),
	'add_w.sql,extra_note.sql', 'and recorded both files');

# check: the structure against the provider's; fkeys: drop and create
($rc, $out, $err) = ld('branch', 'check');
is($rc, 0, 'check on the branch: same structure as the root') or diag($out . $err);
sql('leaf', q{alter table t add column only_here int; alter table t alter column v set not null});
($rc, $out, $err) = ld('leaf', 'check', 't');
is($rc, 1, 'check on the leaf after local changes: exit 1');
like($out, qr/^public\.t: column only_here integer: here only$/m, 'a column only here');
like($out, qr/^public\.t: column v differs: here text not null, on the provider text$/m, 'a column that differs');
($rc, $out, $err) = ld('leaf', 'check', 'nosuch');
is($rc, 1, 'check of a table that is nowhere: exit 1');
like($out, qr/^public\.nosuch: table missing on the provider$/m, 'missing on the provider');
like($out, qr/^public\.nosuch: table missing here$/m, 'and here');
sql('root', q{alter table extra add constraint extra_t_fk foreign key (id) references t (id) not valid});
($rc, $out, $err) = ld('root', 'fkeys');
is($rc, 0, 'fkeys');
like($out, qr/^alter table only extra drop constraint extra_t_fk;$/m, 'the drop statement');
like($out, qr/^alter table only extra add constraint extra_t_fk FOREIGN KEY \(id\) REFERENCES t\(id\) NOT VALID;$/m,
	'the create statement');

# compare: the branch against the root (a root provider: lock and tick),
# the leaf against the branch (a branch provider: paused, equal tick)
($rc, $out, $err) = ld('branch', 'compare');
is($rc, 0, 'compare on the branch: equal') or diag($out . $err);
like($err, qr/public\.t: compared at tick \d+/, 'at a tick');
($rc, $out, $err) = ld('leaf', 'compare', 't');
is($rc, 0, 'compare on the leaf under the branch: equal (the columns in common)') or diag($out . $err);
my ($some, $other) = split /\n/, sql('leaf', q{select id from t order by id limit 2});
sql('leaf', qq{set session_replication_role = replica; delete from t where id = $some;
  update t set v = v || 'X' where id = $other; insert into t (id, v) values (-77, 'extra')});
($rc, $out, $err) = ld('leaf', 'compare', 't');
is($rc, 1, 'compare after planting differences: exit 1 (one table)');
like($err, qr/Results do not match!/, 'the results do not match');
like($out, qr/^public\.t: missing here: key \($some\)$/m, 'the missing row named');
like($out, qr/^public\.t: differs: key \($other\)$/m, 'the changed row named');
like($out, qr/^public\.t: extra here: key \(-77\)$/m, 'the extra row named');
($rc, $out, $err) = ld('leaf', 'compare', 't', '--count-only');
is($rc, 0, '--count-only: the counts agree (one row less, one more)');
# repair: the fix file where the user says, then --apply
($rc, $out, $err) = ld('leaf', 'repair', 't', "--fix-dir=$dir");
like($err, qr/finished public\.t: src: \d+ rows, dst: \d+ rows, missed: 1 inserts, 1 updates, 1 deletes/,
	'repair counts what is missed');
my $fix = -f "$dir/fix.public.t.sql" ? slurp_file("$dir/fix.public.t.sql") : '';
like($fix, qr/^insert into public\.t .*;$/m, 'the fix file inserts the missing row');
like($fix, qr/^update only public\.t set .* where id = '$other';$/m, 'updates the changed one (by its key)');
like($fix, qr/^delete from only public\.t where id = '-77';$/m, 'deletes the extra one');
is(sql('leaf', q{select count(*) from t where id = -77}), 1, 'nothing applied without --apply');
($rc, $out, $err) = ld('leaf', 'repair', 't', '--apply');
like($err, qr/public\.t: the fixes are applied/, 'repair --apply');
($rc, $out, $err) = ld('leaf', 'compare', 't');
is($rc, 0, 'compare matches after the repair') or diag($out . $err);
($rc, $out, $err) = ld('leaf', 'compare', 'nosuch');
is($rc, 1, 'compare of a table that is not here: exit 1');
like($err, qr/public\.nosuch: no such table here/, 'and says so');
is(sql('branch', q{select worker_paused from pgq_node.get_node_info('eq')}), 'f', 'the branch\'s worker is resumed');

for my $n (keys %w)
{
	kill 'INT', $w{$n}{KIDS}[0]{PID};
	$w{$n}->finish;
}
stop_pgqd($pgqd{$_}) for keys %pgqd;
unlike(join('', map { slurp_file("$dir/$_.log") } keys %node), qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
$node{$_}->stop for keys %node;
done_testing();
