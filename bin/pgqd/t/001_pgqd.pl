# pgqd on a real cluster: three databases ticked (one created while it
# runs), consumers see their events, rotation under a consumer holding a
# batch, retried events coming back, the server killed with -m immediate
# and restarted, SIGHUP with a changed and with a broken ini.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Wait;

my $node = PostgreSQL::Test::Cluster->new('pgqd');
$node->init;
$node->append_conf('postgresql.conf', "track_functions = all\n");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;
my $log = "$dir/pgqd.log";

sub setup_db
{
	my ($db) = @_;
	$node->safe_psql('postgres', "create database $db");
	$node->safe_psql($db, q{
create extension pgq;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_lag', '0.1');
select pgq.set_queue_config('q', 'ticker_idle_period', '1');
select pgq.register_consumer('q', 'c');
-- the events of consumer c's next batch, which it then finishes
create function next_events(c text) returns text language plpgsql as $$
declare
    b bigint;
    r text;
begin
    b := pgq.next_batch('q', c);
    if b is null then
        return '';
    end if;
    select string_agg(ev_data || coalesce('/r' || ev_retry, ''), ',' order by ev_id)
      into r from pgq.get_batch_events(b);
    perform pgq.finish_batch(b);
    return coalesce(r, '');
end $$;
-- consumer c's next batch: kept open if an event has data d, else finished
create function open_batch_with(c text, d text) returns boolean language plpgsql as $$
declare
    b bigint;
begin
    b := pgq.next_batch('q', c);
    if b is null then
        return false;
    end if;
    perform 1 from pgq.get_batch_events(b) where ev_data = d;
    if found then
        return true;
    end if;
    perform pgq.finish_batch(b);
    return false;
end $$;
-- in consumer c's next batch, ask a retry of the events with data d
create function retry_events(c text, d text) returns int language plpgsql as $$
declare
    b bigint;
    n int := 0;
    ev record;
begin
    b := pgq.next_batch('q', c);
    if b is null then
        return 0;
    end if;
    for ev in select * from pgq.get_batch_events(b) where ev_data = d loop
        n := n + pgq.event_retry(b, ev.ev_id, 0);
    end loop;
    perform pgq.finish_batch(b);
    return n;
end $$;
});
}
setup_db($_) for qw(db1 db2);

sub write_ini
{
	my ($file, $extra) = @_;
	my $host = $node->host;
	my $port = $node->port;
	open my $fh, '>', $file or die;
	print $fh <<"INI";
[pgqd]
base_connstr = host=$host port=$port
initial_database = postgres
logfile = $log
syslog = 0
ticker_period = 0.1
maint_period = 1
retry_period = 1
check_period = 1
stats_period = 1
$extra
INI
	close $fh;
}

write_ini("$dir/pgqd.ini", '');
local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
# output to files: a pipe nobody reads would fill and stop pgqd
my $h = IPC::Run::start([ 'pgqd', '-v', "$dir/pgqd.ini" ], '>', "$dir/stdout", '2>', "$dir/stderr");

# poll a query until it returns 't'
sub wait_for
{
	my ($db, $sql) = @_;
	return $node->poll_query_until($db, $sql);
}

sub wait_log
{
	my ($re) = @_;
	return wait_for_log($log, $re);
}

# read consumer c's batches until their events match $re
sub wait_events
{
	my ($db, $c, $re) = @_;
	my $seen = '';
	return $seen
	  if wait_until("$db/$c to see $re",
		sub { $seen .= ',' . $node->safe_psql($db, "select next_events('$c')"); $seen =~ $re });
	diag("$db/$c saw: $seen");
	return undef;
}

# events become batches: the ticker runs in both databases
for my $db (qw(db1 db2))
{
	$node->safe_psql($db, "select pgq.insert_event('q', 'ev', '$db-' || i) from generate_series(1, 3) i");
	ok(wait_events($db, 'c', qr/$db-1,$db-2,$db-3/), "$db: the consumer gets its events");
}

# a database created while pgqd runs is found and ticked
setup_db('db3');
ok(wait_for('db3', q{select count(*) >= 3 from pgq.tick}), 'db3, created later, is ticked');
ok(wait_log(qr/\[db3\]: pgq version ok/), 'db3 found by discovery');

# retry: an event put back comes back through pgqd's retry job
$node->safe_psql('db1', q{select pgq.insert_event('q', 'ev', 'to retry')});
ok(wait_until('a retry', sub { $node->safe_psql('db1', q{select retry_events('c', 'to retry')}) }), 'db1: the consumer asked for a retry');
ok(wait_events('db1', 'c', qr{to retry/r1}), 'db1: the retried event comes back with ev_retry = 1');

# rotation under a consumer holding a batch: its events stay readable
$node->safe_psql('db2', q{
select pgq.register_consumer('q', 'slow');
select pgq.set_queue_config('q', 'rotation_period', '0.5');
select pgq.insert_event('q', 'ev', 'held');
});
# slow skips empty batches until the one with the event, and keeps it open
ok(wait_for('db2', q{select open_batch_with('slow', 'held')}), 'db2: slow holds the batch with the event open');
my $held = $node->safe_psql('db2', q{select string_agg(ev_data, ',') from pgq.get_batch_events(pgq.next_batch('q', 'slow'))});
like($held, qr/held/, 'slow holds the event');
# c moves on and pgqd rotates once; the next rotation would empty the
# table slow reads from, so it must wait for slow, however many maintenance
# rounds pgqd runs meanwhile (counted by the server's function statistics)
my $cur = $node->safe_psql('db2', q{select queue_cur_table from pgq.queue});
my $i = 0;
ok( wait_until(
		'a rotation while slow holds its batch',
		sub {
			$i++;
			$node->safe_psql('db2', "select pgq.insert_event('q', 'ev', 'more $i'); select next_events('c')");
			$node->safe_psql('db2', "select queue_cur_table <> $cur from pgq.queue") eq 't';
		}),
	'the event tables rotate once while slow holds its batch');
my $step1_calls = q{select coalesce(sum(calls), 0) from pg_stat_user_functions
  where schemaname = 'pgq' and funcname = 'maint_rotate_tables_step1'};
my $calls = $node->safe_psql('db2', $step1_calls);
ok( wait_until(
		'three more maintenance rounds',
		sub {
			$node->safe_psql('db2', "select pgq.insert_event('q', 'ev', 'more'); select next_events('c')");
			$node->safe_psql('db2', $step1_calls) >= $calls + 3;
		}),
	'pgqd runs rotation steps meanwhile');
is($node->safe_psql('db2', q{select string_agg(ev_data, ',') from pgq.get_batch_events(pgq.next_batch('q', 'slow'))}),
	$held, 'after rotation rounds, the held batch still reads the same events');
$node->safe_psql('db2', q{select pgq.finish_batch(pgq.next_batch('q', 'slow'))});
$cur = $node->safe_psql('db2', q{select queue_cur_table from pgq.queue});
ok( wait_until(
		'a rotation after slow moved',
		sub {
			$node->safe_psql('db2',
				q{select pgq.insert_event('q', 'ev', 'x'); select next_events('c'), next_events('slow')});
			$node->safe_psql('db2', "select queue_cur_table <> $cur from pgq.queue") eq 't';
		}),
	'rotation goes on once the slow consumer moved');
ok(wait_log(qr/\{ticks: \d+, maint: [1-9]/), 'stats line counts maintenance rounds');

# the server dies and comes back: pgqd reconnects and ticks again soon
$node->stop('immediate');
$node->start;
my $t0 = $node->safe_psql('db1', q{select max(tick_id) from pgq.tick});
$node->safe_psql('db1', q{select pgq.insert_event('q', 'ev', 'after restart')});
ok(wait_for('db1', qq{select max(tick_id) > $t0 from pgq.tick}), 'ticks resume after the restart');
ok(kill(0, $h->{KIDS}[0]{PID}), 'pgqd survived the restart');

# SIGHUP: a changed ini applies; a broken one is refused, pgqd goes on
write_ini("$dir/pgqd.ini", 'database_list = db1, db3');
kill 'HUP', $h->{KIDS}[0]{PID};
ok(wait_log(qr/Unregister database: \[db2\]/), 'reload with database_list drops db2');
write_ini("$dir/pgqd.ini", "ticker_period = soon\n");
kill 'HUP', $h->{KIDS}[0]{PID};
ok(wait_log(qr/config not reloaded, keeping the running one: .*pgqd.ini:\d+: invalid value "soon" for ticker_period/),
	'a broken ini on reload is reported');
my $t1 = $node->safe_psql('db1', q{select max(tick_id) from pgq.tick});
$node->safe_psql('db1', q{select pgq.insert_event('q', 'ev', 'after bad reload')});
ok(wait_for('db1', qq{select max(tick_id) > $t1 from pgq.tick}), 'and keeps ticking');

# server notices reach the log
$node->safe_psql('db1', q{insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
  select queue_id, 1000000, 999999999 from pgq.queue});
ok(wait_log(qr/WARNING \[db1\]: server WARNING: Negative new_events/), 'server warnings are logged');
$node->safe_psql('db1', q{delete from pgq.tick where tick_id = 1000000});

kill 'INT', $h->{KIDS}[0]{PID};
$h->finish;
is($h->result(0), 0, 'SIGINT: clean exit 0');
my $all = slurp_file($log) . slurp_file("$dir/stderr");
unlike($all, qr/AddressSanitizer|runtime error:/, 'no sanitizer report');
like($all, qr/Got SIGINT, shutting down/, 'shutdown logged');
unlike($all, qr/password|host=/, 'no connect string in the log');

$node->stop;
done_testing();
