# walmgr with the slave "on another host": the master's ini names
# slave = backuphost and slave_config, and every slave-side step goes
# through ssh.  A stand-in ssh (bin/ssh in the test directory: it drops
# the options and the host, notes the host, and runs the command here)
# carries it, so the real walmgr runs on both ends: setup, xarchive
# (the segment streamed to the slave's xreceive), syncdaemon (the
# slave's receiver), backup (the slave pulls it with pg_basebackup),
# listbackups, stop.  Then the smaller commands: check, synch-standby
# (the receiver as a synchronous standby; a name not connected is
# refused), pause/continue, periodic, sync, xpartialsync, --init-master,
# --init-slave, cleanup; and bad input for each.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use Time::HiRes qw(usleep);
use SkyTools::Walmgr;

my $dir = PostgreSQL::Test::Utils::tempdir;
receiver_reaper("$dir/slave_sync.pid");
my $ws = "$dir/ws";

mkdir "$dir/bin";
put_file("$dir/bin/ssh", <<"SH");
#!/bin/sh
# stands in for ssh: the options and the host go, the command runs here
while [ \$# -gt 0 ]; do case \$1 in -o) shift 2;; -*) shift;; *) break;; esac; done
echo "\$1" >> $dir/ssh.hosts
shift
exec "\$@"
SH
chmod 0755, "$dir/bin/ssh";
$ENV{PATH} = "$dir/bin:$ENV{PATH}";    # also the master's archive_command's

my $master = PostgreSQL::Test::Cluster->new('wm_rmaster');
$master->init(allows_streaming => 1);
$master->start;
my $pgdata = $master->data_dir;
my ($host, $mport, $mlog) = ($master->host, $master->port, $master->logfile);

put_file("$dir/master.ini", <<"INI");
[walmgr]
job_name = wm_remote
master_db = host=$host port=$mport dbname=postgres
master_data = $pgdata
master_restart_cmd = pg_ctl -D $pgdata -l $mlog -w -m fast restart
slave = backuphost
slave_config = $dir/slave.ini
slot_name = wm_remote_slot
logfile = $dir/master.log
INI
put_file("$dir/slave.ini", <<"INI");
[walmgr]
job_name = wm_remote_slave
walmgr_data = $ws
completed_wals = %(walmgr_data)s/logs.complete
partial_wals = %(walmgr_data)s/logs.partial
full_backup = %(walmgr_data)s/data.master
primary_conninfo = host=$host port=$mport dbname=postgres
slot_name = wm_remote_slot
pidfile = $dir/slave_sync.pid
slave_data = $dir/standby
logfile = $dir/slave.log
INI

my ($rc, $out, $err) = wm("$dir/master.ini", 'setup');
is($rc, 0, 'setup with a remote slave') or diag($err);
ok(-d "$ws/logs.complete", "the slave's setup ran through ssh");
like(get_file("$dir/ssh.hosts"), qr/^backuphost$/m, 'ssh was asked for backuphost');
is($master->safe_psql('postgres', 'show archive_mode'), 'on', 'archiving on');

# xarchive: the segment goes to the slave's xreceive
$master->safe_psql('postgres', 'create table t (id int); insert into t select generate_series(1, 1000)');
my $sw = $master->safe_psql('postgres', 'select pg_walfile_name(pg_switch_wal())');
wait_or_die('archiving', sub {
	$master->safe_psql('postgres', "select last_archived_wal >= '$sw' and failed_count = 0 from pg_stat_archiver") eq 't' });
ok(-f "$ws/logs.complete/$sw", "$sw archived on the slave");
is(system("cd $ws/logs.complete && sha256sum --quiet -c SHA256SUMS"), 0, 'with its checksum');
ok(!glob("$ws/logs.complete/.*walmgr-recv"), 'no spool file left');

# syncdaemon: the slave's receiver
($rc, $out, $err) = wm("$dir/master.ini", 'syncdaemon', '-d');
is($rc, 0, 'syncdaemon -d on the master starts the slave\'s') or diag($err);
wait_or_die('the receiver', sub {
	$master->safe_psql('postgres',
		"select count(*) from pg_stat_replication where application_name = 'wm_remote_slave' and state = 'streaming'") eq '1' });
ok(-f "$dir/slave_sync.pid", "the slave's pidfile");

# backup: the slave pulls it
($rc, $out, $err) = wm("$dir/master.ini", 'backup');
is($rc, 0, 'backup through the slave') or diag($err);
ok(-f "$ws/data.master/backup_label" && -f "$ws/data.master/backup_manifest", 'the set with label and manifest');
($rc, $out, $err) = wm("$dir/master.ini", 'listbackups');
like($out, qr/data\.master\s.*FullBackup/, 'listbackups on the master shows the slave\'s sets');
($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
is($rc, 0, 'verify on the slave: archive and set intact') or diag($err);

# check
($rc, $out, $err) = wm("$dir/master.ini", 'check');
is($rc, 0, 'check') or diag($err);
like($out, qr/switched segment archived: .*[0-9A-F]{24}/, 'check: a forced switch arrived');

# setup without a reachable master: master_config edited instead
put_file("$dir/fake.conf", "port = 1\n#archive_mode = off\t# comment\narchive_command = 'x'\nwal_level = minimal\n");
($rc, $out, $err) = wm("$dir/master.ini", 'setup', '--set', "master_db=host=$dir/nowhere port=1",
	'--set', "master_config=$dir/fake.conf");
is($rc, 0, 'setup with the master down') or diag($err);
like($err, qr/cannot be reached; editing/, '... says it edits the file');
my $fake = get_file("$dir/fake.conf");
like($fake, qr/^#archive_mode = off\t# comment\narchive_mode = 'on'$/m, 'archive_mode added after its commented line');
like($fake, qr/^archive_command = '\S+walmgr \S+master\.ini xarchive %p %f'$/m, 'archive_command replaced');
unlike($fake, qr/^archive_command = 'x'/m, 'the old archive_command gone');
like($fake, qr/^wal_level = 'replica'$/m, 'wal_level = minimal raised (archiving needs replica)');
put_file("$dir/fake2.conf", "wal_level = logical\n");
($rc, $out, $err) = wm("$dir/master.ini", 'setup', '--set', "master_db=host=$dir/nowhere port=1",
	'--set', "master_config=$dir/fake2.conf");
like(get_file("$dir/fake2.conf"), qr/^wal_level = logical$/m, 'wal_level = logical kept in the file');

# synch-standby
($rc, $out, $err) = wm("$dir/master.ini", 'synch-standby', 'nosuch');
is($rc, 1, 'synch-standby with a name not connected: refused');
is($master->safe_psql('postgres', 'show synchronous_standby_names'), '', '... and nothing changed');
($rc, $out, $err) = wm("$dir/master.ini", 'synch-standby', 'FIRST 1 (wm_remote_slave, other)');
is($rc, 0, 'synch-standby FIRST 1 (wm_remote_slave, other)') or diag($err);
wait_or_die('sync state', sub {
	$master->safe_psql('postgres', "select sync_state from pg_stat_replication where application_name = 'wm_remote_slave'") eq 'sync' });
my ($prc) = $master->psql('postgres', 'insert into t values (-1)', timeout => 120);
is($prc, 0, 'a commit completes with the receiver as synchronous standby');
($rc, $out, $err) = wm("$dir/master.ini", 'synch-standby', '');
is($rc, 0, 'synch-standby "" turns it off') or diag($err);

# pause / continue on a standby restored from the set (streaming)
my $sb = PostgreSQL::Test::Cluster->new('wm_rstandby');
($rc, $out, $err) = wm("$dir/slave.ini", 'restore', '--set', 'slave_data=' . $sb->data_dir,
	'--set', 'slave_start_cmd=pg_ctl -D ' . $sb->data_dir . ' -l ' . $sb->logfile . ' -o "-p ' . $sb->port . '" -w start');
is($rc, 0, 'restore of the pulled set') or diag($err);
$sb->_update_pid(1);
($rc, $out, $err) = wm("$dir/slave.ini", 'pause', '--set', 'slave_data=' . $sb->data_dir);
is($rc, 0, 'pause') or diag($err);
is($sb->safe_psql('postgres', 'select pg_is_wal_replay_paused()'), 't', 'replay paused');
ok(-f "$ws/logs.complete/PAUSE", "upstream's PAUSE file");
($rc, $out, $err) = wm("$dir/slave.ini", 'continue', '--set', 'slave_data=' . $sb->data_dir);
is($rc, 0, 'continue') or diag($err);
is($sb->safe_psql('postgres', 'select pg_is_wal_replay_paused()'), 'f', 'replay resumed');
ok(!-e "$ws/logs.complete/PAUSE", 'PAUSE gone');
$sb->stop;

# xpartialsync: bytes at an offset of a segment-sized file; a short read fails
my $name = '000000010000000000000099';
($rc, $out, $err) = wm(\"hello", "$dir/slave.ini", 'xpartialsync', $name, '8192', '5');
is($rc, 0, 'xpartialsync') or diag($err);
is(-s "$ws/logs.partial/$name", 16 * 1024 * 1024, 'the partial file has a segment\'s size');
is(substr(get_file("$ws/logs.partial/$name"), 8192, 5), 'hello', 'the bytes at their offset');
($rc, $out, $err) = wm(\"hi", "$dir/slave.ini", 'xpartialsync', $name, '0', '5');
is($rc, 1, 'xpartialsync: fewer bytes than announced is an error');
like($err, qr/got 2 of 5 bytes/, '... saying so');
unlink "$ws/logs.partial/$name";

# periodic: run once, then not before command_interval
my @per = ('--set', "periodic_command=touch $dir/periodic.ran", '--set', 'command_interval=3600');
($rc, $out, $err) = wm("$dir/master.ini", 'periodic', @per);
is($rc, 0, 'periodic') or diag($err);
ok(-f "$dir/periodic.ran" && -f "$pgdata/.walshipping.periodic", 'periodic_command ran, the stamp touched');
unlink "$dir/periodic.ran";
($rc, $out, $err) = wm("$dir/master.ini", 'periodic', @per);
ok($rc == 0 && !-e "$dir/periodic.ran", 'not again within command_interval');

# stop: the slave's receiver stopped, its slot dropped, archiving off
($rc, $out, $err) = wm("$dir/master.ini", 'stop');
is($rc, 0, 'stop') or diag($err);
wait_or_die('the receiver gone', sub { !-e "$dir/slave_sync.pid" });
is($master->safe_psql('postgres', "select count(*) from pg_replication_slots where slot_name = 'wm_remote_slot'"),
	'0', 'the slot dropped');
is($master->safe_psql('postgres', 'show archive_mode'), 'off', 'archiving off (archive_mode, restarted by master_restart_cmd)');
like(get_file("$pgdata/postgresql.auto.conf"), qr{archive_command = '/bin/true'}, 'archive_command = /bin/true');

# sync: one pass from the slave (the slot made again, then dropped)
($rc, $out, $err) = wm("$dir/slave.ini", 'sync');
is($rc, 0, 'sync: one pass') or diag($err);
like(get_file("$dir/slave.log"), qr/sync: caught up at/, 'caught up and ended');
$master->safe_psql('postgres', "select pg_drop_replication_slot('wm_remote_slot')");

# --init-master / --init-slave
($rc, $out, $err) = wm('--init-master', '--pgdata', $pgdata, '--config-dir', "$dir/conf");
is($rc, 1, '--init-master without --slave: refused');
($rc, $out, $err) = wm('--init-master', '--slave', 'localhost', '--pgdata', $pgdata, '--config-dir', "$dir/conf");
is($rc, 0, '--init-master') or diag($err);
my $mi = get_file("$dir/conf/wal-master.ini");
like($mi, qr/^master_data = \Q$pgdata\E$/m, 'master_data guessed from --pgdata');
like($mi, qr/^master_bin = \S+/m, 'master_bin from postmaster.opts');
unlike($mi, qr/^slave = /m, 'no slave key for a local slave');
($rc, $out, $err) = wm('--init-master', '--slave', 'localhost', '--pgdata', $pgdata, '--config-dir', "$dir/conf");
is($rc, 1, '--init-master again: refused');
like($err, qr/exists already; not overwritten/, '... the ini is not overwritten');
($rc, $out, $err) = wm('--init-slave', '--pgdata', "$dir/sdata", '--primary-conninfo', "host=$host port=$mport",
	'--config-dir', "$dir/conf");
is($rc, 0, '--init-slave') or diag($err);
like(get_file("$dir/conf/wal-slave.ini"), qr/^primary_conninfo = host=/m, 'with primary_conninfo');
($rc, $out, $err) = wm("$dir/conf/wal-slave.ini", 'listbackups', '--set', "logfile=$dir/x.log",
	'--set', "walmgr_data=$dir/nothing");
is($rc, 0, 'the generated slave ini loads') or diag($err);

# the sample ini in etc/ is what --ini prints, and every key in it loads
($rc, $out, $err) = wm('--ini');
is($out, get_file("$ENV{SKYTOOLS_TOP}/etc/walmgr.ini"), 'etc/walmgr.ini is walmgr --ini');
{
	(my $all = $out) =~ s/^#(\w+ = )/$1/mg;
	$all =~ s/^(job_name = ).*$/${1}x/m;
	put_file("$dir/all.ini", $all);
	($rc, $out, $err) = wm("$dir/all.ini", 'listbackups', '--set', "logfile=$dir/all.log",
		'--set', "full_backup=$dir/nothing/x");
	is($rc, 0, 'the sample with every key uncommented loads') or diag($err);
}

# bad input
my @bad = (
	[ [ "$dir/slave.ini", 'restore', '--target-xid', '5', '--target-name', 'x' ], qr/give one target/, 'two targets' ],
	[ [ "$dir/slave.ini", 'restore', '--target-lsn', 'zz/1' ], qr/is not a WAL location/, 'a bad LSN' ],
	[ [ "$dir/slave.ini", 'restore', '--target-xid', '12a' ], qr/is not a transaction id/, 'a bad xid' ],
	[ [ "$dir/slave.ini", 'restore', '--target-immediate', '--target-action', 'explode' ], qr/expected pause, promote or shutdown/, 'a bad action' ],
	[ [ "$dir/slave.ini", 'restore', '--target-action', 'promote' ], qr/needs a target/, 'an action without a target' ],
	[ [ "$dir/master.ini", 'boot' ], qr/Action not available on current node/, 'boot on the master' ],
	[ [ "$dir/slave.ini", 'check' ], qr/Action not available on current node/, 'check on the slave' ],
	[ [ "$dir/slave.ini", 'syncdaemon', '-d', '--set', 'pidfile=' ], qr/pidfile is not set/, 'syncdaemon -d without pidfile' ],
	[ [ "$dir/slave.ini", 'createslave', '--set', 'primary_conninfo=' ], qr/primary_conninfo is not set/, 'createslave without primary_conninfo' ],
	[ [ "$dir/slave.ini", 'restore', 'no_such_set' ], qr/is not a backup set/, 'restore of a set that is not there' ],
	[ [ "$dir/slave.ini", 'verify', '-d' ], qr/are for sync and syncdaemon/, '-d on another command' ],
);
for my $b (@bad)
{
	($rc, $out, $err) = wm(@{ $b->[0] });
	is($rc, 1, "$b->[2]: exit 1");
	like($err, $b->[1], "$b->[2]: says why");
}
ok(!-e "$dir/standby", 'nothing restored by the refused commands');

# cleanup: -n changes nothing; then the slave's directories and ini go
mkdir "$dir/standby.0";
($rc, $out, $err) = wm("$dir/slave.ini", 'cleanup', '-n');
ok($rc == 0 && -d $ws && -f "$dir/slave.ini", 'cleanup -n: nothing removed');
($rc, $out, $err) = wm("$dir/slave.ini", 'cleanup');
is($rc, 0, 'cleanup') or diag($err);
ok(!-e $ws && !-e "$dir/standby.0" && !-e "$dir/slave.ini", 'walmgr_data, the old data dir and the ini removed');

done_testing();
