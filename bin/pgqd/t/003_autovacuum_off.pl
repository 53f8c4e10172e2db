# With autovacuum off, maintenance vacuums pgq's tables and goes on to the
# operations after the vacuums.  (Upstream's pgqd took VACUUM's command
# status for an error, so with autovacuum off every round stopped at the
# first vacuum and nothing after it ever ran.)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Pgqd;
use Test::More;
use SkyTools::Wait;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $node = PostgreSQL::Test::Cluster->new('novac');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;
$node->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
create table maint_calls (queue text, at timestamptz default now());
create function public.after_vacuum(q text) returns int language sql as
    'insert into maint_calls (queue) values (q); select 0';
update pgq.queue set queue_extra_maint = array['public.after_vacuum'];
});
is($node->safe_psql('postgres', q{select count(*) > 0 from pgq.maint_operations() where func_name = 'vacuum'}),
	't', 'maint_operations lists vacuums with autovacuum off');

my $dir = PostgreSQL::Test::Utils::tempdir;
my $h = start_pgqd($node, $dir, "database_list = postgres\nmaint_period = 0.5\nstats_period = 1\n",
	args => ['-v']);

ok($node->poll_query_until('postgres', 'select count(*) >= 2 from maint_calls'),
	'operations after the vacuums run, round after round');
my $log = wait_for_log("$dir/pgqd.log", qr/\{ticks: \d+, maint: [1-9]/) // '';
like($log, qr/\[vacuum pgq\.subscription\]/, 'pgq.subscription vacuumed');
like($log, qr/\{ticks: \d+, maint: [1-9]/, 'rounds are counted');
stop_pgqd($h);
$node->stop;
done_testing();
