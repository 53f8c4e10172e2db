# Bad input to every script: an unknown ini key, a missing section, a
# %(name)s that refers to nothing, a required key missing, an unreachable
# database.  Each is an error naming the file (and the line, where there
# is one) and a non-zero exit; none starts working.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Scripts;

my $bin = "$ENV{SKYTOOLS_TOP}/bin/scripts";
my $dir = PostgreSQL::Test::Utils::tempdir;
# nothing listens here: a socket directory of our own, empty
mkdir "$dir/nosock";
my $down = "host=$dir/nosock port=1 dbname=postgres connect_timeout=2";

my %valid = (
	queue_mover3 => [ src_db => $down, dst_db => $down, queue_name => 'q' ],
	queue_splitter3 => [ src_db => $down, dst_db => $down, queue_name => 'q' ],
	simple_consumer3 => [ src_db => $down, queue_name => 'q', dst_query => 'select 1' ],
	simple_local_consumer3 => [ db => $down, queue_name => 'q', dst_query => 'select 1' ],
	data_maintainer3 => [ dbread => $down, dbwrite => $down,
		sql_get_pk_list => 'select 1 as id', sql_modify => 'select %%(id)s' ],
	scriptmgr3 => [ config_list => "$dir/none/*.ini" ],
);

for my $svc (sort keys %valid)
{
	(my $prog = $svc) =~ s/3$//;
	my @kv = @{ $valid{$svc} };

	# --ini: the commented sample under the script's section
	my ($irc, $iout) = run_script("$bin/$prog", '--ini');
	is($irc, 0, "$prog --ini");
	like($iout, qr/^\[\Q$svc\E\]\n/, "$prog --ini: its section");
	like($iout, qr/^#$kv[0] = /m, "$prog --ini: its keys, commented");

	# an unknown key, on line 3
	my $ini = script_ini("$dir/$prog-key.ini", $svc, $kv[0], $kv[1], nosuchkey => 1, @kv[2 .. $#kv]);
	my ($rc, $out, $err) = run_script("$bin/$prog", $ini, $prog eq 'scriptmgr' ? 'status' : ());
	isnt($rc, 0, "$prog: an unknown key: non-zero exit");
	like($err, qr/\Q$ini\E:3: .*nosuchkey/, "$prog: the unknown key named with file and line");

	# a missing section
	$ini = script_ini("$dir/$prog-sect.ini", 'some_other_script', @kv);
	($rc, $out, $err) = run_script("$bin/$prog", $ini, $prog eq 'scriptmgr' ? 'status' : ());
	isnt($rc, 0, "$prog: a missing section: non-zero exit");
	like($err, qr/\Q$ini\E: no \[$svc\] section/, "$prog: the missing section named");

	# an interpolation that refers to nothing, on line 2
	$ini = script_ini("$dir/$prog-interp.ini", $svc, $kv[0], '%(nowhere)s', @kv[2 .. $#kv]);
	($rc, $out, $err) = run_script("$bin/$prog", $ini, $prog eq 'scriptmgr' ? 'status' : ());
	isnt($rc, 0, "$prog: %(nowhere)s: non-zero exit");
	like($err, qr/\Q$ini\E:2: .*nowhere/, "$prog: the bad interpolation named with file and line");

	next if $prog eq 'scriptmgr';

	# a required key missing
	$ini = script_ini("$dir/$prog-req.ini", $svc, @kv[2 .. $#kv]);
	($rc, $out, $err) = run_script("$bin/$prog", $ini);
	isnt($rc, 0, "$prog: $kv[0] missing: non-zero exit");
	like($err, qr/\Q$ini\E: .*\Q$kv[0]\E/, "$prog: the missing key named");

	# an unreachable database: said, and with a one-shot run, exit 1
	$ini = script_ini("$dir/$prog-down.ini", $svc, @kv, exception_sleep => '0.1',
		loop_delay => '0');
	($rc, $out, $err) = run_script("$bin/$prog", $ini, $prog =~ /consumer|mover|splitter/ ? '--register' : ());
	isnt($rc, 0, "$prog: an unreachable database: non-zero exit");
	like($err, qr/cannot connect to .*nosock/, "$prog: the unreachable database said");
	unlike($err, qr/password|port=1 /, "$prog: the connect string is not logged");
}

# scriptmgr: an unreadable job ini is skipped with its error, the others go on
mkdir "$dir/jobs";
script_ini("$dir/jobs/good.ini", 'counter_script', pidfile => "$dir/good.pid");
open(my $fh, '>', "$dir/jobs/broken.ini") or die;
print $fh "[counter_script]\nthis line has no equals sign\n";
close($fh);
my $mgr = script_ini("$dir/mgr.ini", 'scriptmgr', config_list => "$dir/jobs/*.ini");
open($fh, '>>', $mgr) or die;
print $fh "[counter_script]\nscript = /bin/true\n";
close($fh);
my ($rc, $out, $err) = run_script("$bin/scriptmgr", $mgr, 'status');
is($rc, 0, 'scriptmgr: a broken job ini does not stop the others');
like($err, qr/skipping \Q$dir\E\/jobs\/broken\.ini:2: /, 'the broken ini named with its line');
like($out, qr/^good\s+counter_script\s+stopped$/m, 'the good job listed');

done_testing();
