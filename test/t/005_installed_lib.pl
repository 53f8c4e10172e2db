# The library as users get it: lib/ built and installed into a prefix of
# its own (shared and static library, headers, skytools.pc), then
# examples/simple_consumer.c compiled out of the tree with nothing but
# `pkg-config --cflags --libs skytools`, and run: it consumes a queue's
# events into a table, each once.  The same for examples/table_consumer.c,
# a consumer on the script framework (an ini file, the common switches).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'pkg-config is not installed' unless system('pkg-config --version >/dev/null 2>&1') == 0;

my $top = $ENV{SKYTOOLS_TOP} // die 'SKYTOOLS_TOP is not set';
my $dir = PostgreSQL::Test::Utils::tempdir;
my $prefix = "$dir/prefix";

# a copy of the sources, so that the tree under test is not rebuilt
system("mkdir -p $dir/src/doc && cp -r $top/lib $top/common $top/config.mk $dir/src/ "
	  . "&& cp -r $top/doc/man $dir/src/doc/ && make -s -C $dir/src/lib clean") == 0
  or die 'copy';
my $log = "$dir/build.log";
is(system("make -s -C $dir/src/lib install PREFIX=$prefix >$log 2>&1"), 0, 'make install PREFIX=...')
  or diag(slurp_file($log));
is(system("make -s -C $dir/src/doc/man install PREFIX=$prefix >$log 2>&1"), 0, 'the man pages too')
  or diag(slurp_file($log));
ok(-f "$prefix/lib/libskytools.so.0" && -l "$prefix/lib/libskytools.so" && -f "$prefix/lib/libskytools.a",
	'the shared and the static library');
ok(-f "$prefix/include/skytools/consumer.h" && -f "$prefix/include/skytools/script.h"
	  && -f "$prefix/include/skytools/consumer_script.h", 'the headers');
ok(-f "$prefix/share/man/man3/skytools.3", 'the API\'s man page');
$ENV{PKG_CONFIG_PATH} = "$prefix/lib/pkgconfig";
my $flags = `pkg-config --cflags --libs skytools 2>&1`;
is($?, 0, 'pkg-config knows skytools') or diag($flags);
like($flags, qr{-I\Q$prefix\E/include}, '... its include directory');
like($flags, qr{-L\Q$prefix\E/lib -lskytools}, '... and its library');
chomp $flags;
is(system("cc -o $dir/consumer $top/examples/simple_consumer.c $flags >$log 2>&1"), 0,
	'simple_consumer.c built out of the tree') or diag(slurp_file($log));
$ENV{LD_LIBRARY_PATH} = "$prefix/lib";
like(`ldd $dir/consumer`, qr/libskytools\.so\.0 => \Q$prefix\E/, 'linked to the installed shared library');

my $node = PostgreSQL::Test::Cluster->new('installed_lib');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	create extension pgq;
	select pgq.create_queue('q');
	select pgq.set_queue_config('q', 'ticker_max_count', '0');
	select pgq.set_queue_config('q', 'ticker_max_lag', '0');
	create table got (ev_id bigint, ev_type text, ev_data text);
});
my $conn = $node->connstr('postgres');
# registered first, so that the events below are in its batches
is(system("$dir/consumer -1 -q '$conn' q c1 >$log 2>&1"), 0, 'it registers') or diag(slurp_file($log));
$node->safe_psql('postgres', q{select pgq.insert_event('q', 'e', 'v' || i) from generate_series(1, 5) i});
$node->safe_psql('postgres', q{select pgq.ticker('q')});
is(system("$dir/consumer -1 -q -i got '$conn' q c1 >$log 2>&1"), 0, 'it consumes') or diag(slurp_file($log));
is($node->safe_psql('postgres', 'select count(*), count(distinct ev_id) from got'), '5|5',
	'every event once, by the consumer built against the installed library');

# the framework's example consumer, built the same way
is(system("cc -o $dir/table_consumer $top/examples/table_consumer.c $flags >$log 2>&1"), 0,
	'table_consumer.c (the framework\'s example) built out of the tree') or diag(slurp_file($log));
open(my $fh, '>', "$dir/tc.ini") or die;
print $fh "[table_consumer]\nsrc_db = $conn\nqueue_name = q\ntable_name = got2\nloop_delay = 0\n";
close($fh);
$node->safe_psql('postgres', 'create table got2 (ev_id bigint, ev_type text, ev_data text)');
is(system("$dir/table_consumer $dir/tc.ini --register >$log 2>&1"), 0, 'it registers (--register)')
  or diag(slurp_file($log));
$node->safe_psql('postgres', q{select pgq.insert_event('q', 'f', 'w' || i) from generate_series(1, 7) i});
$node->safe_psql('postgres', q{select pgq.ticker('q')});
# loop_delay = 0: one pass over what there is, then the end
is(system("$dir/table_consumer $dir/tc.ini >$log 2>&1"), 0, 'it consumes') or diag(slurp_file($log));
is($node->safe_psql('postgres', q{select count(*), count(distinct ev_id), min(ev_type) from got2}), '7|7|f',
	'every event once, by the framework consumer built against the installed library');
like(slurp_file($log), qr/\{count: 7, duration: [\d.]+\}/, 'its statistics line');

done_testing();
