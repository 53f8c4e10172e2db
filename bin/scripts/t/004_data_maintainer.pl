# data_maintainer: a 1M-row job (sql_modify_batch, a transaction per
# fetch) killed with -9 half-way and started again: every row processed
# exactly once, the run framed by sql_before_run and sql_after_run.  A CSV
# source with quoted fields through sql_modify per row; throttling holds
# the work while sql_throttle says so; a sql_modify naming a column the
# rows lack fails the run (exit 1) and runs sql_on_crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Consumer qw(conninfo);
use SkyTools::Scripts;
use SkyTools::Wait;

my $N = 1_000_000;
my $prog = "$ENV{SKYTOOLS_TOP}/bin/scripts/data_maintainer";
my $dir = PostgreSQL::Test::Utils::tempdir;

my $node = PostgreSQL::Test::Cluster->new('dm');
$node->init;
$node->start;
sub sql { return $node->safe_psql('postgres', $_[0]); }
sql(qq{
create table big (id int primary key, n int not null default 0, done bool not null default false);
insert into big (id) select generate_series(1, $N);
create table runs (job text, what text, at timestamptz default now());
create table from_csv (id int, name text);
create table throttle_flag (x int);
});
my $db = conninfo($node);

my $ini = script_ini("$dir/dm_big.ini", 'data_maintainer3',
	dbread => $db, dbwrite => "$db application_name=dm_big",
	sql_get_pk_list => 'select id from big where not done order by id',
	sql_modify_batch => 'update big set n = n + 1, done = true where id = any(%%(id)s::int[]) and not done',
	sql_before_run => q{insert into runs values (%%(job_name)s, 'before')},
	sql_after_run => q{insert into runs values (%%(job_name)s, 'after')},
	fetch_count => 5000, autocommit => 0, logfile => "$dir/dm_big.log");

my $h = start_script($dir, 'dm_big1', $prog, $ini);
ok(wait_until('a part of the rows', sub { sql('select count(*) from big where done') >= 100_000 }),
	'working through the rows');
kill 'KILL', script_pid($h);
$h->finish;
my $mid = sql('select count(*) from big where done');
ok($mid > 0 && $mid < $N, "killed half-way ($mid of $N done)");
is(sql('select count(*) from big where done and n <> 1'), '0', 'no fetch half applied');

my ($rc, $out, $err) = run_script($prog, $ini);
is($rc, 0, 'started again: the run goes to the end and exits 0') or diag($err);
is(sql('select count(*), count(*) filter (where done and n = 1) from big'), "$N|$N",
	'every row processed exactly once');
is(sql(q{select string_agg(what, ',' order by at) from runs where job = 'dm_big'}),
	'before,before,after', 'sql_before_run for each run, sql_after_run after the whole one');
like(slurp_file("$dir/dm_big.log"), qr/\{count: 5000\}/, 'a statistics line per fetch');

# a second run finds nothing to do; after_zero_rows = 0 skips sql_after_run
($rc, $out, $err) = run_script($prog, $ini, '--set', 'after_zero_rows=0');
is($rc, 0, 'nothing left: exit 0');
like($err, qr/run done: 0 rows/, 'nothing left: 0 rows');
is(sql(q{select count(*) from runs where what = 'after'}), '1', 'after_zero_rows = 0: no sql_after_run');

# CSV rows, per row with autocommit, quotes and delimiters inside fields
open(my $fh, '>', "$dir/rows.csv") or die;
print $fh "id;name\n";
print $fh "$_;\"name $_; with 'quotes' and \"\"doubled\"\"\"\n" for 1 .. 1500;
close($fh);
my $csv = script_ini("$dir/dm_csv.ini", 'data_maintainer',
	fileread => "$dir/rows.csv", csv_delimiter => ';', dbwrite => $db,
	sql_modify => 'insert into from_csv values (%%(id)s, %%(name)s)',
	fetch_count => 200);
($rc, $out, $err) = run_script($prog, $csv);
is($rc, 0, 'CSV: done') or diag($err);
is(sql(q{select count(*), count(distinct id), max(name) filter (where id = 7) from from_csv}),
	qq{1500|1500|name 7; with 'quotes' and "doubled"}, 'CSV: every row, quoted fields whole');

# throttling: nothing moves while sql_throttle is true
sql('insert into throttle_flag values (1); update big set done = false where id <= 1000');
my $thr = script_ini("$dir/dm_thr.ini", 'data_maintainer3',
	dbread => $db, dbwrite => $db,
	sql_get_pk_list => 'select id from big where not done order by id',
	sql_modify => 'update big set n = n + 1, done = true where id = %%(id)s',
	sql_throttle => 'select exists (select 1 from throttle_flag)',
	fetch_count => 100);
$h = start_script($dir, 'dm_thr', $prog, $thr);
ok(wait_for_log("$dir/dm_thr.err", qr/throttling.*\n.*throttling/), 'throttling');
is(sql('select count(*) from big where not done'), '1000', 'nothing done while throttled');
sql('delete from throttle_flag');
ok(wait_until('the run to end', sub { $h->pumpable ? do { $h->pump_nb; 0 } : 1 }),
	'the work goes on once sql_throttle is false');
$h->finish;
is(sql('select count(*) from big where not done or n > 2'), '0', 'the throttled rows done');

# a sql_modify naming a column the rows lack: exit 1, sql_on_crash runs
sql('update big set done = false where id <= 10');
($rc, $out, $err) = run_script($prog, $thr, '--set', 'sql_throttle=',
	'--set', 'sql_modify=update big set done = true where id = %%(nope)s',
	'--set', q{sql_on_crash=insert into runs values (%%(job_name)s, 'crash')});
is($rc, 1, 'a missing column: exit 1');
like($err, qr/sql_modify refers to %\(nope\)s, which the rows do not have/, 'a clear error');
is(sql(q{select count(*) from runs where what = 'crash' and job = 'dm_thr'}), '1', 'sql_on_crash ran');
is(sql('select count(*) from big where not done'), '10', 'nothing changed');

$node->stop;
done_testing();
