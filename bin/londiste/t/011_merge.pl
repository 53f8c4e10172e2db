# Fan-in: two partition roots (p1, p2) merged into one table on a third
# database (full), whose merge leaves forward what they apply into the
# combined queue; the combined queue has its root there and a branch on a
# fourth database (cbr).  The table is added with --merge-all while both
# partitions are written to: both copies fill the one table (neither
# truncates the other's rows), and in the end the combined table, and its
# copy on the combined branch, equal the union of the partitions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Wait;
use SkyTools::Londiste;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my %node;
for my $name (qw(p1 p2 full cbr))
{
	my $n = PostgreSQL::Test::Cluster->new("m_$name");
	$n->init;
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }
sql($_, q{create table mt (id int primary key, part int not null, v text)}) for keys %node;
sql('p1', q{insert into mt select i, 1, 'p1-' || i from generate_series(1, 2000) i});
sql('p2', q{insert into mt select i, 2, 'p2-' || i from generate_series(100001, 102000) i});

my %ini;
$ini{$_->[0]} = londiste_ini($dir, $_->[0], $node{ $_->[1] }, $_->[2])
  for ([ 'p1', 'p1', 'part1' ], [ 'p2', 'p2', 'part2' ], [ 'f1', 'full', 'part1' ],
	[ 'f2', 'full', 'part2' ], [ 'croot', 'full', 'comb' ], [ 'cbr', 'cbr', 'comb' ]);
sub ld { my ($n, @a) = @_; return londiste($ini{$n}, @a); }
sub ok_ld { my ($n, @a) = @_; return (londiste_ok($ini{$n}, @a))[1]; }
ok_ld('p1', 'create-root', 'p1', node_connstr($node{p1}));
ok_ld('p2', 'create-root', 'p2', node_connstr($node{p2}));
ok_ld('croot', 'create-root', 'croot', node_connstr($node{full}));
ok_ld('f1', 'create-leaf', 'full', node_connstr($node{full}), '--provider=' . node_connstr($node{p1}), '--merge=comb');
ok_ld('f2', 'create-leaf', 'full', node_connstr($node{full}), '--provider=' . node_connstr($node{p2}), '--merge=comb');
ok_ld('cbr', 'create-branch', 'cbr', node_connstr($node{cbr}), '--provider=' . node_connstr($node{full}));
is(sql('full', q{select string_agg(queue_name || ':' || coalesce(combined_queue, '-'), ',' order by queue_name)
  from pgq_node.node_info}), 'comb:-,part1:comb,part2:comb', 'full: two merge leaves and the combined root');
ok_ld('p1', 'add-table', 'mt');
ok_ld('p2', 'add-table', 'mt');

my %pgqd = start_pgqds($dir, p1 => $node{p1}, p2 => $node{p2}, full => $node{full}, cbr => $node{cbr});
my %w = map { $_ => start_londiste($ini{$_}, "$dir/$_") } keys %ini;

# both partitions written to from now on
my %load;
for my $p (qw(p1 p2))
{
	my $base = $p eq 'p1' ? 0 : 100000;
	PostgreSQL::Test::Utils::append_to_file("$dir/$p.sql", qq{
\\set id random($base + 1, $base + 3000)
insert into mt values (:id, ${\ substr($p, 1)}, 'n' || :id) on conflict (id) do update set v = mt.v || 'u';
});
	local $ENV{PGHOST} = $node{$p}->host;
	local $ENV{PGPORT} = $node{$p}->port;
	$load{$p} = IPC::Run::start([ 'pgbench', '-n', '-c', '1', '-R', '100', '-T', '3600', '-f', "$dir/$p.sql", 'postgres' ],
		'>', "$dir/$p.load.out", '2>', "$dir/$p.load.err");
}
ok($node{full}->poll_query_until('postgres', q{select count(*) > 0 from londiste.table_info where queue_name = 'part2'
  and table_name = 'public.mt'}), 'full: the partitions\' roots announced the table');

ok_ld('f1', 'add-table', 'mt', '--merge-all');
is(sql('full', q{select string_agg(queue_name || ':' || local, ',' order by queue_name) from londiste.table_info
  where table_name = 'public.mt'}), 'comb:true,part1:true,part2:true', '--merge-all: attached from both partitions and the combined queue');
ok($node{full}->poll_query_until('postgres', q{select count(*) = 2 from londiste.table_info
  where table_name = 'public.mt' and queue_name like 'part%' and merge_state = 'ok'}), 'full: both copies done');
ok($node{cbr}->poll_query_until('postgres', q{select count(*) > 0 from londiste.table_info where table_name = 'public.mt'}),
	'cbr: the combined root announced the table');
ok_ld('cbr', 'add-table', 'mt');
ok($node{cbr}->poll_query_until('postgres', q{select count(*) = 1 from londiste.table_info
  where table_name = 'public.mt' and local and merge_state = 'ok'}), 'cbr: copied from the combined table');

# both partitions still written to, then stopped
my $n1 = sql('p1', q{select count(*) from mt});
ok($node{p1}->poll_query_until('postgres', qq{select count(*) > $n1 + 20 from mt}), 'p1: writes go on');
$_->kill_kill for values %load;
my $union_sql = q{select count(*) || ':' || md5(string_agg(id || ',' || part || ',' || v, ';' order by id)) from mt};
my $union = sub {
	my ($c1, $m1) = split /:/, sql('p1', q{select count(*) || ':' || coalesce(string_agg(id || ',' || part || ',' || v, ';' order by id), '') from mt});
	my ($c2, $m2) = split /:/, sql('p2', q{select count(*) || ':' || coalesce(string_agg(id || ',' || part || ',' || v, ';' order by id), '') from mt});
	return ($c1 + $c2) . ':' . sql('p1', "select md5(\$\$$m1;$m2\$\$)");
};
my $want = $union->();
ok(wait_until('the combined table equal to the union', sub { sql('full', $union_sql) eq $want }),
	'full: the combined table equals the union of the partitions');
ok(wait_until('the combined branch equal to the union', sub { sql('cbr', $union_sql) eq $want }),
	'cbr: the combined branch too (the merge leaves forwarded what they applied)');
is(sql('full', q{select count(*) from mt where part = 1}), sql('p1', q{select count(*) from mt}), 'every row of p1');
is(sql('full', q{select count(*) from mt where part = 2}), sql('p2', q{select count(*) from mt}), 'every row of p2');

$_->kill_kill for values %w;
$_->kill_kill for values %pgqd;
done_testing();
