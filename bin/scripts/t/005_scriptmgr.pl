# scriptmgr manages three jobs of two service types found by config_list
# globs: two counter_script jobs (the framework's example) and a
# data_maintainer job looping over a table.  start -a puts them in the
# background, status lists them, reload makes a job read its ini again,
# stop -t stops one type, restart brings a job back, stop -a ends them.
# Bad input: an unknown command, an unknown job, no jobs named.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Consumer qw(conninfo);
use SkyTools::Scripts;
use SkyTools::Wait;

my $bin = "$ENV{SKYTOOLS_TOP}/bin/scripts";
my $counter = "$ENV{SKYTOOLS_TOP}/examples/counter_script";
my $dir = PostgreSQL::Test::Utils::tempdir;
mkdir "$dir/conf";
mkdir "$dir/more";

my $node = PostgreSQL::Test::Cluster->new('mgr');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
create table work_rows (id int primary key, n int default 0);
insert into work_rows (id) select generate_series(1, 10);
});

open(my $fh, '>', "$dir/mgr.ini") or die;
print $fh <<"INI";
[scriptmgr]
config_list = $dir/conf/*.ini, $dir/more/*.ini
stop_timeout = 20
logfile = $dir/mgr.log

[DEFAULT]
cwd = $dir

[counter_script]
script = $counter

[data_maintainer3]
script = $bin/data_maintainer
args = -v

[not_here]
script = /bin/false
INI
close($fh);
for my $c ('count_a', 'count_b')
{
	script_ini("$dir/conf/$c.ini", 'counter_script',
		out_file => "$dir/$c.out", pidfile => "$dir/$c.pid",
		logfile => "$dir/$c.log", loop_delay => '0.1');
}
script_ini("$dir/more/dm_loop.ini", 'data_maintainer3',
	dbread => conninfo($node), dbwrite => conninfo($node),
	sql_get_pk_list => 'select id from work_rows',
	sql_modify => 'update work_rows set n = n + 1 where id = %%(id)s',
	loop_delay => '0.2', pidfile => "$dir/dm_loop.pid",
	logfile => "$dir/dm_loop.log");
# not a job: a service type the scriptmgr ini does not have
script_ini("$dir/conf/other.ini", 'walmgr', pidfile => "$dir/other.pid");

sub mgr { return run_script("$bin/scriptmgr", "$dir/mgr.ini", @_); }
sub lines { return -f $_[0] ? scalar(() = slurp_file($_[0]) =~ /\n/g) : 0; }

my ($rc, $out, $err) = mgr('status');
is($rc, 0, 'status') or diag($err);
like($out, qr/^count_a\s+counter_script\s+stopped$/m, 'status: a stopped job');
like($out, qr/^dm_loop\s+data_maintainer3\s+stopped$/m, 'status: the other type');
unlike($out, qr/other/, 'an ini of an unknown service type is no job');

($rc, $out, $err) = mgr('start', '-a');
is($rc, 0, 'start -a') or diag($err);
like($err, qr/count_a: started.*\n.*count_b: started.*\n.*dm_loop: started/, 'three started');
ok(wait_until('the three to run', sub { -f "$dir/count_a.pid" && -f "$dir/count_b.pid" && -f "$dir/dm_loop.pid" }),
	'each wrote its pidfile');
($rc, $out, $err) = mgr('status');
is(() = $out =~ /running \(pid \d+\)/g, 3, 'status: three running');
ok(wait_until('rows done twice', sub { $node->safe_psql('postgres', 'select min(n) from work_rows') >= 2 }),
	'the data_maintainer job loops');
ok(wait_until('counting', sub { lines("$dir/count_a.out") >= 3 }), 'the counters count');
($rc, $out, $err) = mgr('start', 'count_a');
like($err, qr/count_a: already running/, 'start of a running job: already running');

# reload: count_b reads its ini again, writing elsewhere now
script_ini("$dir/conf/count_b.ini", 'counter_script',
	out_file => "$dir/count_b2.out", pidfile => "$dir/count_b.pid",
	logfile => "$dir/count_b.log", loop_delay => '0.1');
($rc, $out, $err) = mgr('reload', 'count_b');
is($rc, 0, 'reload count_b') or diag($err);
ok(wait_until('the new out_file', sub { lines("$dir/count_b2.out") > 0 }), 'count_b took its new ini');
like(slurp_file("$dir/count_b.log"), qr/configuration reloaded/, 'count_b logged the reload');

# stop one type, the others go on
($rc, $out, $err) = mgr('stop', '-t', 'counter_script');
is($rc, 0, 'stop -t counter_script') or diag($err);
($rc, $out, $err) = mgr('status');
like($out, qr/^count_a\s+counter_script\s+stopped$/m, 'count_a stopped');
like($out, qr/^count_b\s+counter_script\s+stopped$/m, 'count_b stopped');
like($out, qr/^dm_loop\s+data_maintainer3\s+running/m, 'dm_loop still running');
ok(!-f "$dir/count_a.pid", 'a stopped job\'s pidfile is gone');

# restart brings one back with a new pid
my $old = slurp_file("$dir/dm_loop.pid");
($rc, $out, $err) = mgr('restart', 'dm_loop');
is($rc, 0, 'restart dm_loop') or diag($err);
ok(wait_until('a new pid', sub { -f "$dir/dm_loop.pid" && slurp_file("$dir/dm_loop.pid") ne $old }),
	'restarted: a new process');

# bad input
($rc, $out, $err) = mgr('frobnicate');
is($rc, 1, 'an unknown command: exit 1');
like($err, qr/unknown command: frobnicate/, 'an unknown command: said so');
($rc, $out, $err) = mgr('stop', 'nosuchjob');
is($rc, 1, 'an unknown job: exit 1');
like($err, qr/unknown job: nosuchjob/, 'an unknown job: said so');
($rc, $out, $err) = mgr('start');
is($rc, 1, 'start without jobs: exit 1');
like($err, qr/name the jobs, or -a for all/, 'start without jobs: said so');

($rc, $out, $err) = mgr('stop', '-a');
is($rc, 0, 'stop -a') or diag($err);
($rc, $out, $err) = mgr('status');
is(() = $out =~ /stopped$/mg, 3, 'all three stopped');

$node->stop;
done_testing();
