# The tables upstream refuses, each replayed to a leaf and checked by our
# own compare:
#   u     no primary key, a unique index on NOT NULL columns: its key
#   f     no key at all: rows found by all their values (duplicates,
#         NULLs), the old row sent along with each update
#   ins   no key, inserts only (--trigger-flags=I)
#   k     updates that change the primary key (--trigger-arg=backup: the
#         old key travels with the event)
#   flt   a row filter (--copy-condition on the leaf): copy, replay (rows
#         moving into and out of it) and compare agree
#   big   compare narrows a difference down chunk by chunk, and an
#         interrupted compare (killed while it waits on a table) resumes:
#         the tables done are not compared again, a table being narrowed
#         goes on from its last chunk
#   pr    partitioned on the root, plain on the leaf; pl the other way:
#         copied, replayed (updates moving rows between partitions: a key
#         change, with backup), compared
#   col   a column list (--columns on the leaf): the other columns are
#         neither copied nor replayed, and not compared
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use SkyTools::Wait;
use SkyTools::Londiste;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my %node;
for my $name (qw(root leaf))
{
	my $n = PostgreSQL::Test::Cluster->new("tb_$name");
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
my $ddl = q{
create table u (a int not null, b text not null, v text, unique (a, b));
create table f (x int, y text);
create table ins (id int, v text);
create table k (id int primary key, v text);
create table flt (id int primary key, region text, v text);
create table col (id int primary key, a text, secret text);
create table big (id int primary key, v text);
};
sql($_, $ddl) for qw(root leaf);
my $parted = q{
create table %s (id int, k int not null, v text, primary key (id, k)) partition by range (k);
create table %s_a partition of %s for values from (0) to (100);
create table %s_b partition of %s for values from (100) to (200);
};
sql('root', sprintf($parted, ('pr') x 5) . q{create table pl (id int, k int not null, v text, primary key (id, k))});
sql('leaf', sprintf($parted, ('pl') x 5) . q{create table pr (id int, k int not null, v text, primary key (id, k))});
sql('root', q{insert into pr select i, i % 200, 'r' || i from generate_series(1, 400) i;
  insert into pl select i, i % 200, 'l' || i from generate_series(1, 400) i});
sql('root', q{
insert into u select i, 'b' || i, 'v' from generate_series(1, 50) i;
insert into f values (1, 'a'), (1, 'a'), (2, null), (null, null), (3, 'c');
insert into ins values (1, 'x'), (1, 'x');
insert into k select i, 'k' || i from generate_series(1, 50) i;
insert into big select i, 'b' || i from generate_series(1, 5000) i;
insert into col select i, 'a' || i, 'secret' || i from generate_series(1, 20) i;
insert into flt select i, case when i % 3 = 0 then 'eu' else 'us' end, 'f' || i from generate_series(1, 60) i;
});
my %ini = map { $_ => londiste_ini($dir, $_, $node{$_}, 'tq') } keys %node;
sub ld { my ($n, @a) = @_; return londiste($ini{$n}, @a); }
sub ok_ld { my ($n, @a) = @_; return (londiste_ok($ini{$n}, @a))[1]; }
ok_ld('root', 'create-root', 'root', node_connstr($node{root}));
ok_ld('leaf', 'create-leaf', 'leaf', node_connstr($node{leaf}), '--provider=' . node_connstr($node{root}));
my $err = ok_ld('root', 'add-table', 'u', 'f');
like($err, qr/public\.u has no primary key: its key is the unique index on \(a,b\)/, 'u: keyed by its unique index');
like($err, qr/public\.f has no primary key nor a unique index.*all their columns/, 'f: keyed by all its columns');
ok_ld('root', 'add-table', 'ins', '--trigger-flags=I');
ok_ld('root', 'add-table', 'k', '--trigger-arg=backup');
ok_ld('root', 'add-table', 'flt', 'col', 'big');
ok_ld('root', 'add-table', 'pr', 'pl', '--trigger-arg=backup');
ok_ld('leaf', 'add-table', 'pr', 'pl');
ok_ld('leaf', 'add-table', 'big');
ok_ld('leaf', 'add-table', 'col', '--columns=id, a');
ok_ld('leaf', 'add-table', 'u', 'f', 'ins', 'k');
ok_ld('leaf', 'add-table', 'flt', q{--copy-condition=region = 'eu'});

my %pgqd = start_pgqds($dir, root => $node{root});
my $w = start_londiste($ini{leaf}, "$dir/leaf");
ok($node{leaf}->poll_query_until('postgres',
		q{select count(*) = 9 from londiste.table_info where local and merge_state = 'ok'}), 'leaf: every table in sync');
is(sql('leaf', q{select count(*) from flt where region <> 'eu'}), '0', 'flt: the copy took the filtered rows only');
is(sql('leaf', q{select count(*) from flt}), '20', '... all of them');

sql('root', q{
update u set v = 'changed' where a <= 10;
delete from u where a > 45;
insert into u values (100, 'x', null);
update f set y = 'A' where ctid = (select ctid from f where x = 1 limit 1);
update f set y = 'n' where x is null;
delete from f where x = 2;
insert into f values (1, 'a'), (4, null);
insert into ins values (2, 'y');
update k set id = id + 1000 where id <= 10;
update k set v = 'moved' where id > 1000;
update k set id = 7, v = 'back' where id = 1007;
delete from k where id = 1001;
update flt set region = 'eu' where id in (1, 2);
update flt set region = 'us' where id in (3, 6);
update flt set v = 'still eu' where id = 9;
update flt set v = 'still us' where id = 4;
delete from flt where id in (12, 13);
insert into flt values (100, 'eu', 'new'), (101, 'us', 'new');
update pr set v = v || '!' where id % 10 = 0;
update pr set k = 150 where id = 7;
delete from pr where id % 9 = 0;
insert into pr values (1000, 5, 'new');
update pl set v = v || '!' where id % 10 = 0;
update pl set k = 150 where id = 7;
delete from pl where id % 9 = 0;
insert into pl values (1000, 5, 'new');
update col set a = 'changed' where id <= 5;
update col set secret = 'still secret' where id > 15;
insert into col values (21, 'new', 'hidden');
delete from col where id = 10;
});
for my $t (qw(u f ins k flt col pr pl))
{
	my ($rc, $out, $e) = ld('leaf', 'compare', $t);
	is($rc, 0, "$t: compare finds the leaf equal to the root") or diag($e);
}
is(sql('leaf', q{select count(*) from f where x = 1 and y = 'a'}), '2', 'f: duplicates kept as duplicates');
is(sql('leaf', q{select string_agg(id || ':' || v, ',' order by id) from k where id = 7 or id > 1000 and id < 1004}),
	'7:back,1002:moved,1003:moved', 'k: rows moved to their new keys');
is(sql('leaf', q{select string_agg(id::text, ',' order by id) from flt where id in (1, 2, 3, 6, 9, 100, 101)}),
	'1,2,9,100', 'flt: rows moved into the filter arrived, rows moved out left');
is(sql('leaf', q{select count(*) from flt where region <> 'eu'}), '0', 'flt: nothing outside the filter');
is(sql('leaf', q{select count(*) from pl_b}), sql('root', q{select count(*) from pl where k >= 100}),
	'pl: the leaf\'s partitions hold their rows (k moved into the other one)');
is(sql('leaf', q{select count(*) from pr}), sql('root', q{select count(*) from pr}), 'pr: every row of the partitioned root table');
is(sql('leaf', q{select count(*) || '/' || count(secret) || '/' || count(*) filter (where a = 'changed') from col}),
	'20/0/5', 'col: the listed columns only, copied and replayed');

# a difference is still seen: the filter does not hide the filtered rows
sql('leaf', q{set session_replication_role = replica; delete from flt where id = 100; delete from f where x = 3});
my ($rc, $out, $e) = ld('leaf', 'compare', 'flt', 'f');
is($rc, 2, 'compare: a missing row in each table found');

# narrowing: chunks of 500 rows, three of them differ
sql('leaf', q{set session_replication_role = replica; delete from big where id = 100;
  update big set v = 'changed' where id = 4200; insert into big values (9999, 'extra')});
($rc, $out, $e) = ld('leaf', '--set=compare_chunk_rows=500', 'compare', 'big');
is($rc, 1, 'big: differs');
is($out, "public.big: missing here: key (100)\npublic.big: differs: key (4200)\npublic.big: extra here: key (9999)\n",
	'big: the three keys named');
like($e, qr/public\.big: 11 chunk\(s\) of up to 500 rows, 3 differing/,
	'big: narrowed to three chunks of eleven (the last one open-ended)');
($rc, $out, $e) = ld('leaf', 'compare', 'big', '--repair-where=id between 4000 and 5000', '--sort-bufsize=1000');
is($out, "public.big: differs: key (4200)\n", 'compare --repair-where: only those rows');
($rc, $out, $e) = ld('leaf', 'repair', 'big', '--repair-where=id < 1000', '--apply');
is($rc, 1, 'repair --repair-where --apply: a difference there');
is(sql('leaf', q{select count(*) from big where id = 100}), '1', '... fixed: the missing row is back');
is(sql('leaf', q{select v from big where id = 4200}), 'changed', '... and rows outside it left alone');
sql('leaf', q{set session_replication_role = replica; delete from big where id = 100});
my $state = "$dir/leaf.compare.state";
ok(!-e $state, 'a run that ended leaves nothing to resume');

# interrupted while it waits for a lock on u (after big): resumed
my $locker = $node{leaf}->background_psql('postgres');
$locker->query_safe('begin; lock table u in access exclusive mode');
my $cmp = IPC::Run::start([ 'londiste', $ini{leaf}, '--set=compare_chunk_rows=500', 'compare', 'big', 'u' ],
	'>', \my $cout, '2>', \my $cerr);
ok(wait_until('big done in the state file', sub { -e $state && slurp_file($state) =~ /^done\tpublic\.big\t1$/m }),
	'compare: big done and recorded');
ok($node{leaf}->poll_query_until('postgres',
		q{select count(*) > 0 from pg_locks where not granted and relation = 'u'::regclass}),
	'compare: waiting for u');
$cmp->kill_kill;
$locker->query_safe('rollback');
$locker->quit;
($rc, $out, $e) = ld('leaf', 'compare', '--resume', 'big', 'u');
is($rc, 1, 'resumed: one table differs (big, from the interrupted run)') or diag($e);
like($e, qr/public\.big: differed in the interrupted run/, 'resumed: big not compared again');
like($e, qr/public\.u: compared at tick/, 'resumed: u compared');
ok(!-e $state, 'resumed run ended: nothing left to resume');

# a table interrupted while narrowing goes on from its last chunk
PostgreSQL::Test::Utils::append_to_file($state, "at\tpublic.big\t1\t2000\n");
($rc, $out, $e) = ld('leaf', '--set=compare_chunk_rows=500', 'compare', '--resume', 'big');
is($rc, 1, 'resumed narrowing: big differs');
like($e, qr/public\.big: resumed after key \(2000\), 1 row\(s\) differing before/, 'resumed after the recorded chunk');
is($out, "public.big: differs: key (4200)\npublic.big: extra here: key (9999)\n", 'only the later chunks read');
like($e, qr/public\.big: 3 row\(s\) differ/, 'the count includes the earlier chunks\'');
($rc, $out, $e) = ld('leaf', 'compare', '--resume', 'big');
isnt($rc, 0, '--resume with nothing to resume: refused');
like($e, qr/no interrupted run to resume/, '... saying so');
($rc, $out, $e) = ld('leaf', 'repair', '--resume', 'big');
like($e, qr/--resume is for compare/, 'repair --resume: refused');

# a table gone from one side: said so, nothing else compared differently
sql('root', q{alter table col rename to col_gone});
($rc, $out, $e) = ld('leaf', 'compare', 'col', 'k');
is($rc, 1, 'compare of a table missing on the provider: one table fails');
like($e, qr/public\.col: table missing on the provider/, '... saying where');
like($e, qr/public\.k: compared at tick/, '... the others still compared');
sql('root', q{alter table col_gone rename to col});
sql('leaf', q{alter table col rename to col_gone});
($rc, $out, $e) = ld('leaf', 'compare', 'col');
like($e, qr/public\.col: table missing on this node/, 'compare of a table missing here: said so');
sql('leaf', q{alter table col_gone rename to col});

# without backup, a key change is refused at the source, as upstream does
my ($ret, $o, $stderr) = $node{root}->psql('postgres', 'update u set a = 1000 where a = 1');
like($stderr, qr/primary key update not allowed/, 'u: its key cannot change without backup');

$w->kill_kill;
$_->kill_kill for values %pgqd;
done_testing();
