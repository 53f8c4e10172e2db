# walmgr's whole cycle on real clusters.  The master is set up by
# `walmgr setup` (ALTER SYSTEM, restart by master_restart_cmd), syncdaemon
# streams its WAL into partial_wals, and a base backup is taken while
# pgbench writes.  Then: (a) a restore to a point in time T in the middle
# of later load holds exactly the rows committed up to T (commit
# timestamps tell which); (b) a full restore plus boot holds every
# archived row; (c) createslave builds a standby that streams from the
# master and boot promotes it; (d) the master killed with -m immediate
# under load while syncdaemon runs (itself killed with -9 and restarted
# before): the restored and booted slave misses at most the last second
# of commits (printed).  Also: the backup's manifest passes
# pg_verifybackup, a set is never consumed by a restore, verify finds a
# flipped byte in a backup file, a restore target that is not a time
# changes nothing, setup never lowers wal_level = logical.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use Time::HiRes qw(usleep);
use SkyTools::Walmgr;

my $dir = PostgreSQL::Test::Utils::tempdir;
receiver_reaper("$dir/syncdaemon.pid");
my $ws = "$dir/ws";

my $master = PostgreSQL::Test::Cluster->new('wm_master');
$master->init;
$master->append_conf('postgresql.conf', "track_commit_timestamp = on\n");
$master->start;
my $pgdata = $master->data_dir;
my $host = $master->host;
my $mport = $master->port;
my $mlog = $master->logfile;

put_file("$dir/master.ini", <<"INI");
[walmgr]
job_name = wm_test
master_db = host=$host port=$mport dbname=postgres
master_data = $pgdata
master_restart_cmd = pg_ctl -D $pgdata -l $mlog -w -m fast restart
walmgr_data = $ws
completed_wals = %(walmgr_data)s/logs.complete
partial_wals = %(walmgr_data)s/logs.partial
full_backup = %(walmgr_data)s/data.master
logfile = $dir/master.log
pidfile = $dir/syncdaemon.pid
loop_delay = 10
keep_backups = 3
progress_interval = 0.01
INI
put_file("$dir/slave.ini", <<"INI");
[walmgr]
job_name = wm_slave
walmgr_data = $ws
completed_wals = %(walmgr_data)s/logs.complete
partial_wals = %(walmgr_data)s/logs.partial
full_backup = %(walmgr_data)s/data.master
slave_data = $dir/unused
logfile = $dir/slave.log
keep_backups = 3
progress_interval = 0.01
INI

# setup: archiving on through ALTER SYSTEM, wal_level raised, restarted
my ($rc, $out, $err) = wm("$dir/master.ini", 'setup');
is($rc, 0, 'setup on the master') or diag($err);
is($master->safe_psql('postgres', 'show archive_mode'), 'on', 'archive_mode on after the restart');
is($master->safe_psql('postgres', 'show wal_level'), 'replica', 'wal_level raised from minimal to replica');
like($master->safe_psql('postgres', 'show archive_command'), qr{walmgr \S+/master\.ini xarchive %p %f$},
	'archive_command is walmgr xarchive with the absolute ini');
like(get_file("$pgdata/postgresql.auto.conf"), qr/archive_command/, 'settings in postgresql.auto.conf');
ok(-d "$ws/logs.complete" && -d "$ws/logs.partial", "the slave's directories made by the master's setup");

# setup never lowers wal_level: a node at logical stays there
{
	my $lg = PostgreSQL::Test::Cluster->new('wm_logical');
	$lg->init(allows_streaming => 'logical');
	$lg->start;
	put_file("$dir/logical.ini", "[walmgr]\nmaster_db = host=$host port=" . $lg->port
		  . " dbname=postgres\nmaster_data = " . $lg->data_dir
		  . "\ncompleted_wals = $dir/lg/c\npartial_wals = $dir/lg/p\nfull_backup = $dir/lg/f\n");
	($rc, $out, $err) = wm("$dir/logical.ini", 'setup');
	is($rc, 0, 'setup on a logical master') or diag($err);
	$lg->restart;
	is($lg->safe_psql('postgres', 'show wal_level'), 'logical', 'wal_level = logical is kept');
	is($lg->safe_psql('postgres', 'show archive_mode'), 'on', 'and archiving is on');
	$lg->stop;
}

# the receiver: syncdaemon in the background, its slot active
($rc, $out, $err) = wm("$dir/master.ini", 'syncdaemon', '-d');
is($rc, 0, 'syncdaemon -d') or diag($err);
wait_or_die('the receiver slot', sub {
	$master->safe_psql('postgres',
		"select count(*) from pg_replication_slots where slot_name = 'walmgr_wm_test' and active") eq '1' });
pass('syncdaemon streams through slot walmgr_wm_test');

$master->safe_psql('postgres', 'create table t (id bigserial primary key, v int not null)');
put_file("$dir/insert.sql", "insert into t (v) values (1);\n");
my @pgbench = ('pgbench', '-n', '-h', $host, '-p', $mport, '-f', "$dir/insert.sql", 'postgres');

# a base backup while pgbench writes
my $load = IPC::Run::start([ @pgbench, '-c', '2', '-T', '900' ], '>', "$dir/pgbench1.out", '2>&1');
wait_or_die('load', sub { $master->safe_psql('postgres', 'select count(*) >= 500 from t') eq 't' });
($rc, $out, $err) = wm("$dir/master.ini", 'backup');
is($rc, 0, 'backup during the load') or diag($err);
like(get_file("$dir/master.log"), qr/backup: [0-9.]+ MB of [0-9.]+ MB/, 'progress shown');
$load->kill_kill;
my $set = "$ws/data.master";
ok(-f "$set/backup_label" && -f "$set/backup_manifest", 'the set has its backup_label and manifest');
ok(!-e "$set/postmaster.pid" && -d "$set/pg_wal/archive_status", 'postmaster.pid left out, pg_wal an empty skeleton');
ok(-f "$set/postgresql.auto.conf", 'postgresql.auto.conf kept');
like(get_file("$set/backup_manifest"), qr/"Path": "backup_label".*"Checksum-Algorithm": "SHA256"/,
	'the manifest records backup_label with a SHA-256');
my ($vout, $verr) = ('', '');
IPC::Run::run([ 'pg_verifybackup', '-n', $set ], '>', \$vout, '2>', \$verr);
is($?, 0, "pg_verifybackup accepts walmgr's manifest") or diag($vout . $verr);
($rc, $out, $err) = wm("$dir/slave.ini", 'listbackups');
like($out, qr/data\.master\s.*FullBackup\s+[0-9A-F]{24}/, 'listbackups shows the set');

# later load; T is the commit time of a transaction in the middle of it
$master->safe_psql('postgres', 'create table marks (phase text, max_id bigint)');
$master->safe_psql('postgres', "insert into marks select 'after backup', max(id) from t");
IPC::Run::run([ @pgbench, '-c', '2', '-t', '1500' ], '>', "$dir/pgbench2.out", '2>&1')
  or die 'pgbench failed: ' . get_file("$dir/pgbench2.out");
my $T = $master->safe_psql('postgres', q{
	select pg_xact_commit_timestamp(xmin)::text from t
	where id > (select max_id from marks) order by id offset 1500 limit 1});
my $at_T = $master->safe_psql('postgres',
	"select count(*) || ' ' || sum(id) from t where pg_xact_commit_timestamp(xmin) <= '$T'");
my $all = $master->safe_psql('postgres', "select count(*) || ' ' || sum(id) from t");
isnt($at_T, $all, "T ($T) is inside the load");

# everything archived
my $sw = $master->safe_psql('postgres', 'select pg_walfile_name(pg_switch_wal())');
wait_or_die('archiving', sub {
	$master->safe_psql('postgres', "select last_archived_wal >= '$sw' from pg_stat_archiver") eq 't' });

# bad input first: a target that is not a time changes nothing
my $s1 = PostgreSQL::Test::Cluster->new('wm_pitr');
my $s1dir = $s1->data_dir;
sub start_cmd { my ($node) = @_; my $d = $node->data_dir;
	return "slave_start_cmd=pg_ctl -D $d -l " . $node->logfile . " -o \"-p " . $node->port . "\" -w start" }
($rc, $out, $err) = wm("$dir/slave.ini", 'restore', '--set', "slave_data=$s1dir",
	'--set', start_cmd($s1), '--target-time', 'yesterday noon');
is($rc, 1, 'restore --target-time "yesterday noon": refused');
like($err, qr/--target-time yesterday noon is not a time/, '... with a clear message');
ok(!-e $s1dir && !-e "$s1dir.walmgr-tmp", '... and nothing written');

# (a) point in time: exactly the rows committed up to T
($rc, $out, $err) = wm("$dir/slave.ini", 'restore', '--set', "slave_data=$s1dir",
	'--set', start_cmd($s1), '--target-time', $T, '--target-action=promote');
is($rc, 0, 'restore --target-time T --target-action=promote') or diag($err);
$s1->_update_pid(1);
like(get_file("$dir/slave.log"), qr/restore: \d+ files checked against the manifest/, 'files checked against the manifest');
like(get_file("$s1dir/postgresql.auto.conf"), qr/archive_mode = 'off'/, 'archiving neutralised on the restored node');
wait_or_die('PITR promotion', sub { $s1->safe_psql('postgres', 'select pg_is_in_recovery()') eq 'f' });
is($s1->safe_psql('postgres', "select count(*) || ' ' || sum(id) from t"), $at_T,
	'(a) the rows committed up to T, exactly');
$s1->stop;
ok(-f "$set/backup_label", 'the set is still there after a restore (never consumed)');

# (b) full restore and boot: every archived row
my $s2 = PostgreSQL::Test::Cluster->new('wm_full');
($rc, $out, $err) = wm("$dir/slave.ini", 'restore', '--set', 'slave_data=' . $s2->data_dir, '--set', start_cmd($s2));
is($rc, 0, 'restore without a target') or diag($err);
$s2->_update_pid(1);
ok(-f $s2->data_dir . '/standby.signal', 'standby.signal: it stays in recovery until boot');
is($s2->safe_psql('postgres', 'select pg_is_in_recovery()'), 't', 'in recovery');
($rc, $out, $err) = wm("$dir/slave.ini", 'boot', '--set', 'slave_data=' . $s2->data_dir);
is($rc, 0, 'boot') or diag($err);
is($s2->safe_psql('postgres', 'select pg_is_in_recovery()'), 'f', 'promoted by boot');
is($s2->safe_psql('postgres', "select count(*) || ' ' || sum(id) from t"), $all, '(b) every archived row');
$s2->stop;

# (c) createslave: a standby streaming from the master, promoted by boot
my $s3 = PostgreSQL::Test::Cluster->new('wm_stream');
($rc, $out, $err) = wm("$dir/slave.ini", 'createslave', '--set', 'slave_data=' . $s3->data_dir,
	'--set', start_cmd($s3), '--set', "primary_conninfo=host=$host port=$mport application_name=wm_stream");
is($rc, 0, 'createslave') or diag($err);
$s3->_update_pid(1);
$master->safe_psql('postgres', 'insert into t (v) select 3 from generate_series(1, 100)');
my $now = $master->safe_psql('postgres', "select count(*) || ' ' || sum(id) from t");
wait_or_die('streaming', sub { $s3->safe_psql('postgres', "select count(*) || ' ' || sum(id) from t") eq $now });
pass('(c) the standby follows the master by streaming');
($rc, $out, $err) = wm("$dir/slave.ini", 'boot', '--set', 'slave_data=' . $s3->data_dir);
is($rc, 0, 'boot of the streaming standby') or diag($err);
is($s3->safe_psql('postgres', 'select pg_is_in_recovery()'), 'f', 'promoted');
$s3->safe_psql('postgres', 'insert into t (v) values (4)');
pass('the promoted standby takes writes');
$s3->stop;

# verify: intact, then a flipped byte in a backup file is found
($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
is($rc, 0, 'verify: archive and backup sets intact') or diag($err);
{
	my $victim = "$set/PG_VERSION";
	my $orig = get_file($victim);
	my $bad = $orig;
	substr($bad, 0, 1) = chr(ord(substr($bad, 0, 1)) ^ 1);
	put_file($victim, $bad);
	($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
	is($rc, 1, 'verify: a flipped byte in a backup file is found');
	like($err, qr/PG_VERSION: checksum mismatch/, '... and named');
	# a restore of that set refuses and changes nothing
	my $sx = "$dir/never";
	($rc, $out, $err) = wm("$dir/slave.ini", 'restore', '--set', "slave_data=$sx");
	is($rc, 1, 'restore of a damaged set refused');
	like($err, qr/does not match the backup's manifest/, '... the file named');
	ok(!-e $sx, '... nothing restored');
	put_file($victim, $orig);
}

# (d) the master lost under load while syncdaemon runs
my $pid = get_file("$dir/syncdaemon.pid");
chomp $pid;
kill 'KILL', $pid;
wait_or_die('the receiver gone', sub { !kill(0, $pid) });
($rc, $out, $err) = wm("$dir/master.ini", 'syncdaemon', '-d');
is($rc, 0, 'syncdaemon restarted after kill -9 (stale pidfile)') or diag($err);
wait_or_die('the receiver again', sub {
	$master->safe_psql('postgres',
		"select count(*) from pg_replication_slots where slot_name = 'walmgr_wm_test' and active") eq '1' });
$master->safe_psql('postgres', 'create table lost (id bigserial primary key, at timestamptz not null default clock_timestamp())');
put_file("$dir/lost.sql", "insert into lost default values;\n");
$load = IPC::Run::start([ 'pgbench', '-n', '-h', $host, '-p', $mport, '-f', "$dir/lost.sql", '-c', '1', '-T', '900', 'postgres' ],
	'>', "$dir/pgbench3.out", '2>&1');
wait_or_die('load on lost', sub { $master->safe_psql('postgres', 'select count(*) >= 3000 from lost') eq 't' });
$master->stop('immediate');
$load->finish;
($rc, $out, $err) = wm("$dir/master.ini", 'syncdaemon', '-k');
is($rc, 0, 'syncdaemon -k');
wait_or_die('the receiver stopped', sub { !kill(0, $pid) && !-e "$dir/syncdaemon.pid" });
my $s4 = PostgreSQL::Test::Cluster->new('wm_failover');
($rc, $out, $err) = wm("$dir/slave.ini", 'restore', 'data.master.0', '--set', 'slave_data=' . $s4->data_dir,
	'--set', start_cmd($s4));
is($rc, 0, 'restore after the loss') or diag($err);
$s4->_update_pid(1);
($rc, $out, $err) = wm("$dir/slave.ini", 'boot', '--set', 'slave_data=' . $s4->data_dir);
is($rc, 0, 'boot applies partial_wals and promotes') or diag($err);
like(get_file("$dir/slave.log"), qr/from partial_wals \(boot\)/, 'the partial segment was applied');
my ($srows, $slast) = split /\|/, $s4->safe_psql('postgres', "select count(*), max(at) from lost");
# the master's own end, read after its crash recovery (archiving off now)
$master->append_conf('postgresql.conf', "archive_mode = off\n");
$master->start;
my ($mrows, $lost_ms) = split /\|/, $master->safe_psql('postgres',
	"select count(*), round(extract(epoch from max(at) - '$slast'::timestamptz) * 1000) from lost");
my $prefix = $master->safe_psql('postgres', "select count(*) from lost where at <= '$slast'");
is($prefix, $srows, 'the slave holds exactly a prefix of the commits (nothing doubled or reordered)');
diag("(d) master killed under load: $mrows rows committed, $srows on the booted slave; "
	  . ($mrows - $srows) . " rows and $lost_ms ms of commits lost");
cmp_ok($lost_ms, '<=', 1000, '(d) at most the last second of commits lost');
cmp_ok($srows, '>', 0, 'the slave got the rows');

done_testing();
