# walmgr's archive on a real cluster: PostgreSQL archives through
# `walmgr INI xarchive %p %f` into completed_wals, durable and checksummed
# (sha256sum -c agrees), plain or zstd-compressed; a segment archived again
# is success when identical and refused when different (the archive is
# unchanged); xarchive killed with -9 mid-copy leaves no segment under the
# archived name, and the retry archives it whole; xrestore gives the bytes
# back (decompressed) or answers "not found" at once.  Bad input (unknown
# command, a command of the other role, a missing or malformed ini, a
# garbage number) is refused with a clear message and changes nothing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use Time::HiRes qw(time usleep);
use SkyTools::Walmgr;

my $dir = PostgreSQL::Test::Utils::tempdir;
my $arch = "$dir/walshipping/logs.complete";
my $node = PostgreSQL::Test::Cluster->new('wm_master');
$node->init;
my $pgdata = $node->data_dir;

put_file("$dir/master.ini", <<"INI");
[walmgr]
master_data = $pgdata
completed_wals = $arch
logfile = $dir/master.log
INI
put_file("$dir/slave.ini", <<"INI");
[walmgr]
walmgr_data = $dir/walshipping
completed_wals = %(walmgr_data)s/logs.complete
partial_wals = %(walmgr_data)s/logs.partial
full_backup = %(walmgr_data)s/data.master
slave_data = $dir/slave
INI

sub listing { opendir(my $d, $arch) or return ''; return join(' ', sort grep { !/^\.\.?$/ } readdir($d)); }

my ($rc, $out, $err) = wm("$dir/slave.ini", 'setup');
is($rc, 0, 'slave setup') or diag($err);
ok(-d $arch && -d "$dir/walshipping/logs.partial" && -d "$dir/walshipping/data.master",
	'setup made the archive directories');

$node->append_conf('postgresql.conf', qq{
wal_level = replica
archive_mode = on
archive_command = 'walmgr $dir/master.ini xarchive %p %f'
});
$node->start;
$node->safe_psql('postgres', q{
create table t (id int);
insert into t select generate_series(1, 1000);
select pg_switch_wal();
insert into t select generate_series(1, 1000);
select pg_switch_wal();
});
$node->poll_query_until('postgres',
	"select archived_count >= 2 and failed_count = 0 from pg_stat_archiver")
  or die 'archiving did not happen';
my @segs = grep { /^[0-9A-F]{24}$/ } split / /, listing();
cmp_ok(scalar(@segs), '>=', 2, 'segments archived under their names');
is(system("cd $arch && sha256sum --quiet -c SHA256SUMS"), 0,
	'sha256sum -c agrees with the recorded checksums');
is(-s "$arch/$segs[0]", 16 * 1024 * 1024, 'a whole segment');

# the same file again: success; other content under that name: refused
my $seg = $segs[0];
put_file("$dir/copy", get_file("$arch/$seg"));
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/copy", $seg);
is($rc, 0, 'the same segment again is success') or diag($err);
my $before = listing();
my $sums = get_file("$arch/SHA256SUMS");
put_file("$dir/other", 'x' x 1000);
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/other", $seg);
is($rc, 1, 'other content under an archived name: refused');
like($err, qr/archived already with other content.*refusing to overwrite/, 'says why');
is(get_file("$arch/$seg"), get_file("$dir/copy"), 'the archived segment is unchanged');
is(listing(), $before, 'nothing added');
is(get_file("$arch/SHA256SUMS"), $sums, 'the checksums unchanged');

# killed mid-copy: reading from a pipe, half a segment written, kill -9
my $name = '0000000100000000000000F0';
my $fifo = "$dir/fifo";
system('mkfifo', $fifo) == 0 or die 'mkfifo';
my $h = IPC::Run::start([ 'walmgr', "$dir/master.ini", 'xarchive', $fifo, $name ],
	'>', \$out, '2>', \$err);
open(my $w, '>', $fifo) or die "fifo: $!";
binmode $w;
print $w ('y' x (8 * 1024 * 1024));
my $tmp = "$arch/.$name.walmgr-tmp";
my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
usleep(50_000) while ((-s $tmp // 0) == 0 && time() < $deadline);
ok((-s $tmp // 0) > 0, 'the copy is under way (temporary name)');
$h->signal('KILL');
$h->finish;
close($w);
ok(!-e "$arch/$name", 'killed mid-copy: nothing under the archived name');
put_file("$dir/whole", 'z' x (16 * 1024 * 1024));
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/whole", $name);
is($rc, 0, 'archived again') or diag($err);
is(-s "$arch/$name", 16 * 1024 * 1024, 'whole now');
ok(!-e $tmp, 'no temporary file left');

# compressed: stored as .zst, restored as it was
my $zname = '0000000100000000000000F1';
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/copy", $zname, '--set', 'compression=3');
is($rc, 0, 'archived compressed') or diag($err);
ok(-e "$arch/$zname.zst" && !-e "$arch/$zname", 'stored as .zst');
cmp_ok(-s "$arch/$zname.zst", '<', 16 * 1024 * 1024, 'smaller');
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/copy", $zname);
is($rc, 0, 'the same segment plain, archived compressed before: success') or diag($err);
($rc, $out, $err) = wm("$dir/slave.ini", 'xrestore', $zname, "$dir/restored");
is($rc, 0, 'xrestore of a compressed segment') or diag($err);
is(get_file("$dir/restored"), get_file("$dir/copy"), 'decompressed, the same bytes');
($rc, $out, $err) = wm("$dir/slave.ini", 'xrestore', $seg, "$dir/restored2");
is(get_file("$dir/restored2"), get_file("$dir/copy"), 'a plain segment restored');
my $t0 = time();
($rc, $out, $err) = wm("$dir/slave.ini", 'xrestore', '0000000100000000000000FF', "$dir/nothing");
is($rc, 1, 'a missing segment: not found');
ok(!-e "$dir/nothing", 'nothing written');
is(system("cd $arch && sha256sum --quiet -c SHA256SUMS"), 0, 'every checksum still agrees');

# prefetch: the next segments readied, decompressed, then moved into place
for my $n (qw(0000000100000000000000C1 0000000100000000000000C2 0000000100000000000000C3))
{
	($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/copy", $n, '--set', 'compression=1');
	is($rc, 0, "$n archived compressed") or diag($err);
}
($rc, $out, $err) = wm("$dir/slave.ini", 'xrestore', '0000000100000000000000C1', "$dir/p1", '--set', 'restore_prefetch=2');
is($rc, 0, 'xrestore with restore_prefetch = 2') or diag($err);
my $spool = "$arch/.prefetch";
wait_or_die('prefetch', sub { -f "$spool/0000000100000000000000C2" && -f "$spool/0000000100000000000000C3" });
is(-s "$spool/0000000100000000000000C3", 16 * 1024 * 1024, 'the next two segments readied, decompressed');
($rc, $out, $err) = wm("$dir/slave.ini", 'xrestore', '0000000100000000000000C2', "$dir/p2", '--set', 'restore_prefetch=2', '-v');
is($rc, 0, 'the next xrestore') or diag($err);
like($err, qr/C2 restored \(prefetched\)/, '... served from the prefetch');
is(get_file("$dir/p2"), get_file("$dir/copy"), '... the same bytes');
wait_or_die('prefetch cleanup', sub { !-e "$spool/0000000100000000000000C2" });
pass('a served segment leaves the prefetch');
unlink glob("$spool/*");
rmdir $spool;

# verify: an intact archive with history, backup and control files passes;
# one flipped byte (in the unused tail of a segment) is found
put_file("$dir/hist", "1\t0/3000000\tno recovery target specified\n");
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/hist", '00000002.history');
is($rc, 0, 'a history file archived') or diag($err);
put_file("$dir/bk", "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n");
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/bk", '000000010000000000000002.00000028.backup');
is($rc, 0, 'a backup history file archived') or diag($err);
($rc, $out, $err) = wm("$dir/master.ini", 'xarchive', "$dir/copy", '0000000100000000000000A0.partial');
is($rc, 0, 'a .partial segment archived') or diag($err);
put_file("$arch/STOP", '');
put_file("$arch/PAUSE", '');
($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
is($rc, 0, 'verify: an intact archive') or diag($err);
like($err, qr/verify: \d+ archived files checked, 0 bad/, 'verify: counts');
unlink("$arch/STOP", "$arch/PAUSE");
open(my $fh, '+<', "$arch/$seg") or die;
binmode $fh;
seek($fh, 16 * 1024 * 1024 - 1, 0);
read($fh, my $last, 1);
seek($fh, 16 * 1024 * 1024 - 1, 0);
print $fh chr(ord($last) ^ 1);
close($fh);
($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
is($rc, 1, 'verify: one flipped byte fails');
like($err, qr/$seg: checksum mismatch/, 'verify: names the file');
open($fh, '+<', "$arch/$seg") or die;
binmode $fh;
seek($fh, 16 * 1024 * 1024 - 1, 0);
print $fh $last;
close($fh);
($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
is($rc, 0, 'verify: the byte back, intact again') or diag($err);

# listbackups: sets with a label, newest first, then by number
($rc, $out, $err) = wm("$dir/slave.ini", 'listbackups');
is($out, "No backups found.\n", 'listbackups: none yet') or diag($err);
my $wd = "$dir/walshipping";
mkdir("$wd/data.master.$_") for (0, 2, 10);
mkdir("$wd/data.masterx");
put_file("$wd/data.master/backup_label",
	"START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n"
	  . "START TIME: 2026-12-02 10:00:00 UTC\nLABEL: FullBackup\n");
put_file("$wd/data.master.10/backup_label.old",
	"START WAL LOCATION: 0/1000028 (file 000000010000000000000001)\n"
	  . "START TIME: 2026-12-01 10:00:00 UTC\nLABEL: Old \"one\"\n");
put_file("$wd/data.master.2/backup_label", "LABEL: two\n");
put_file("$wd/data.masterx/backup_label", "LABEL: not a set\n");
($rc, $out, $err) = wm("$dir/slave.ini", 'listbackups');
is($rc, 0, 'listbackups') or diag($err);
like($out, qr/^Backup\ set\s+Timestamp\s+Label\s+First\ WAL\n
	data\.master\s+2026-12-02\ 10:00:00\ UTC\s+FullBackup\s+000000010000000000000002\n
	data\.master\.2\s+two\s*\n
	data\.master\.10\s+2026-12-01\ 10:00:00\ UTC\s+Old\ "one"\s+000000010000000000000001\n$/x,
	'listbackups: each set with its time, label and first WAL, in order');
($rc, $out, $err) = wm("$dir/slave.ini", 'listbackups', '--json');
is($out, '[{"set": "data.master", "timestamp": "2026-12-02 10:00:00 UTC", "label": "FullBackup", '
	  . '"first_wal": "000000010000000000000002"},' . "\n"
	  . ' {"set": "data.master.2", "timestamp": "", "label": "two", "first_wal": ""},' . "\n"
	  . ' {"set": "data.master.10", "timestamp": "2026-12-01 10:00:00 UTC", "label": "Old \\"one\\"", '
	  . '"first_wal": "000000010000000000000001"}]' . "\n", 'listbackups --json');

# xrotate before a new backup: with keep_backups = 3 the oldest sets go
# until two are left (the new backup makes three; the archive_command
# hook sees each removed set first), the rest move up one
($rc, $out, $err) = wm("$dir/slave.ini", 'xrotate', '--set', 'keep_backups=3',
	'--set', "archive_command=echo \$BACKUPDIR >> $dir/hook.log");
is($rc, 0, 'xrotate') or diag($err);
my @left = sort grep { /^data\.master/ } do { opendir(my $d, $wd); readdir($d) };
is_deeply(\@left, [ 'data.master.0', 'data.master.3', 'data.masterx' ],
	'keep_backups = 3: two sets remain, renumbered (unlabelled dirs untouched)');
is(get_file("$dir/hook.log"), "$wd/data.master.10\n",
	'the hook ran for the removed set (the oldest) before it went');
is(get_file("$wd/data.master.3/backup_label"), "LABEL: two\n", 'a set moved up with its label');
like(get_file("$wd/data.master.0/backup_label"), qr/LABEL: FullBackup/, 'the newest became .0');
mkdir("$wd/data.master");
put_file("$wd/data.master/backup_label", "LABEL: newest\n");
# a failing hook: nothing removed, exit 1
($rc, $out, $err) = wm("$dir/slave.ini", 'xrotate', '--set', 'keep_backups=1',
	'--set', 'archive_command=false');
is($rc, 1, 'xrotate: a failing hook stops it');
ok(-d "$wd/data.master.3" && -d "$wd/data.master", 'and the sets stay');
# keep_days: a set older than that goes, the newest never
utime(time() - 3 * 86400, time() - 3 * 86400, "$wd/data.master.3/backup_label");
($rc, $out, $err) = wm("$dir/slave.ini", 'xrotate', '--set', 'keep_days=2');
is($rc, 0, 'xrotate with keep_days') or diag($err);
@left = sort grep { /^data\.master/ } do { opendir(my $d, $wd); readdir($d) };
is_deeply(\@left, [ 'data.master.0', 'data.master.1', 'data.masterx' ],
	'keep_days = 2: the 3-day-old set removed, the others renumbered');

# xpurgewals: WAL before the oldest set's first segment goes (every
# timeline, .history kept), and with it its checksum lines
put_file("$wd/data.master.1/backup_label",
	"START WAL LOCATION: 0/F1000028 (file 0000000100000000000000F1)\nLABEL: oldest\n");
($rc, $out, $err) = wm("$dir/slave.ini", 'xpurgewals');
is($rc, 0, 'xpurgewals') or diag($err);
is(listing(), "0000000100000000000000F1.zst 00000002.history SHA256SUMS",
	'only WAL from the oldest set\'s first segment on, and the history file');
($rc, $out, $err) = wm("$dir/slave.ini", 'verify');
is($rc, 0, 'verify after the purge: the checksum list follows') or diag($err);
like($err, qr/2 archived files checked, 0 bad/, 'the two files left are checked');

# the backup lock: taken once, the holder named to the second taker
($rc, $out, $err) = wm("$dir/slave.ini", 'xlock', '4242');
is($rc, 0, 'xlock taken') or diag($err);
is(get_file("$arch/BACKUPLOCK"), "4242\n", 'BACKUPLOCK holds the pid');
($rc, $out, $err) = wm("$dir/slave.ini", 'xlock', '5353');
is($rc, 1, 'xlock held: refused');
is($out, "4242\n", 'the holder printed');
is(get_file("$arch/BACKUPLOCK"), "4242\n", 'the lock unchanged');
($rc, $out, $err) = wm("$dir/slave.ini", 'xlock', 'x1');
is($rc, 1, 'xlock of a non-pid: refused');
($rc, $out, $err) = wm("$dir/slave.ini", 'xrelease');
is($rc, 0, 'xrelease') or diag($err);
ok(!-e "$arch/BACKUPLOCK", 'the lock is gone');
($rc, $out, $err) = wm("$dir/slave.ini", 'xlock', '5353');
is($rc, 0, 'xlock taken again after release') or diag($err);
($rc, $out, $err) = wm("$dir/master.ini", 'xrelease');
is($rc, 1, 'xrelease is the slave\'s');
wm("$dir/slave.ini", 'xrelease');

# bad input: a clear error, exit 1, nothing changed
$before = listing();
my @bad = (
	[ [ "$dir/master.ini", 'nosuch' ], qr/unknown command: nosuch/, 'unknown command' ],
	[ [ "$dir/master.ini", 'boot' ], qr/boot: Action not available on current node/, 'slave command on the master' ],
	[ [ "$dir/slave.ini", 'xarchive', "$dir/copy", '0000000100000000000000F2' ],
		qr/xarchive: Action not available on current node/, 'master command on the slave' ],
	[ [ "$dir/none.ini", 'setup' ], qr/none\.ini/, 'missing ini' ],
	[ [ "$dir/master.ini", 'xarchive', "$dir/copy", '../evil' ], qr/not a WAL file name/, 'not a WAL name' ],
	[ [ "$dir/master.ini", 'xarchive', "$dir/copy", '0000000100000000000000F3', '--set', 'keep_backups=abc' ],
		qr/keep_backups/, 'garbage number' ],
	[ [ "$dir/master.ini", 'xarchive', "$dir/copy", '0000000100000000000000F3', '--set', 'nosuchkey=1' ],
		qr/nosuchkey/, 'unknown key' ],
);
put_file("$dir/broken.ini", "[walmgr]\nthis is not a key value line\n");
push @bad, [ [ "$dir/broken.ini", 'setup' ], qr/broken\.ini:2/, 'malformed ini' ];
for my $b (@bad)
{
	($rc, $out, $err) = wm(@{ $b->[0] });
	is($rc, 1, "$b->[2]: exit 1");
	like($err, $b->[1], "$b->[2]: says so");
}
is(listing(), $before, 'the archive unchanged by all of them');

$node->stop;
done_testing();
