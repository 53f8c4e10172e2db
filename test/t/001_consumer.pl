# The C consumer library through examples/simple_consumer: row events
# decoded, events stored in the batch's transaction, retries coming back,
# a tick waking an idle consumer at once (LISTEN), reconnecting after the
# connection is killed, clean stop on SIGTERM, and bad input refused with
# a clear message that never shows a password.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Consumer;

my $node = PostgreSQL::Test::Cluster->new('consumer');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;
my $db = conninfo($node);

$node->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_count', '0');
select pgq.set_queue_config('q', 'ticker_max_lag', '0');
create table got (ev_id bigint primary key, ev_type text, ev_data text);
create table src (id int primary key, name text, note text);
create trigger cap after insert or update or delete on src
    for each row execute procedure pgq.logutriga('q');
});
sub tick { $node->safe_psql('postgres', "select pgq.ticker('q')"); }
sub got { $node->safe_psql('postgres', 'select count(*) from got'); }

# the first run registers the consumer
my ($rc, $out, $err) = run_consumer('-1', $db, 'q', 'c');
is($rc, 0, 'registered') or diag($err);
like($err, qr/^0 batches, 0 events, 0 errors$/m, 'nothing yet');

# row events, decoded; stored in the queue database with the batch
$node->safe_psql('postgres', q{
insert into src values (1, 'a b', null), (2, 'x&y=z', 'ünï');
update src set note = 'n' where id = 1;
delete from src where id = 2;
});
tick();
($rc, $out, $err) = run_consumer('-1', '-i', 'got', $db, 'q', 'c');
is($rc, 0, 'consumer ran') or diag($err);
like($out, qr/^event \d+ I:id: id=1 name=a b note=NULL$/m, 'insert decoded, NULL shown');
like($out, qr/^event \d+ I:id: id=2 name=x&y=z note=ünï$/m, 'special characters decoded');
like($out, qr/^event \d+ U:id: id=1 name=a b note=n$/m, 'update decoded');
like($out, qr/^event \d+ D:id: id=2 /m, 'delete decoded');
is(got(), 4, 'four events stored');
like($err, qr/^1 batches, 4 events, 0 errors$/m, 'stats');

($rc, $out, $err) = run_consumer('-1', '-i', 'got', $db, 'q', 'c');
like($err, qr/^0 batches/m, 'nothing new: no batch');

# a plain event; a large batch streams through the cursor in slices
$node->safe_psql('postgres',
	"select pgq.insert_event('q', 'bulk', i::text) from generate_series(1, 1000) i");
tick();
($rc, $out, $err) = run_consumer('-1', '-q', '-i', 'got', $db, 'q', 'c');
is(got(), 1004, 'a batch of 1000 events in 300-event fetches');
is($node->safe_psql('postgres',
	"select count(*) from pg_stat_activity where query like 'fetch%'"), 0,
	'no session left behind');

# retry: every event once, back through the retry queue
$node->safe_psql('postgres',
	"select pgq.insert_event('q', 'later', i::text) from generate_series(1, 3) i");
tick();
($rc, $out, $err) = run_consumer('-1', '-R', '1', '-i', 'got', $db, 'q', 'c');
is(got(), 1004, 'retried events not stored on first delivery');
is($node->safe_psql('postgres', 'select count(*) from pgq.retry_queue'), 3,
	'three events in the retry queue');
$node->poll_query_until('postgres',
	"select pgq.maint_retry_events() >= 0 and (select count(*) from pgq.retry_queue) = 0")
  or die 'retry events not moved back';
tick();
($rc, $out, $err) = run_consumer('-1', '-R', '1', '-i', 'got', $db, 'q', 'c');
is($node->safe_psql('postgres', "select string_agg(ev_data, ',' order by ev_data) from got where ev_type = 'later'"),
	'1,2,3', 'retried events came back once and were stored');

# an idle consumer that polls once an hour is woken by the tick: the event
# arrives well within the wait below, so only the tick's NOTIFY can bring it
my $h = start_consumer($dir, 'listen', '-l', '3600', '-q', '-i', 'got', $db, 'q', 'c');
$node->poll_query_until('postgres',
	"select count(*) > 0 from pg_stat_activity where query like '%next_batch_custom%' and state = 'idle'")
  or die 'consumer did not start';
$node->safe_psql('postgres', "select pgq.insert_event('q', 'wake', 'up')");
tick();
ok($node->poll_query_until('postgres', "select count(*) = 1 from got where ev_type = 'wake'"),
	'woken by the tick, not the hour-long poll');

# the server drops the consumer's connection: it reconnects and goes on
$node->safe_psql('postgres',
	"select pg_terminate_backend(pid) from pg_stat_activity where query like '%next_batch_custom%' and pid <> pg_backend_pid()");
$node->safe_psql('postgres', "select pgq.insert_event('q', 'after', 'reconnect')");
tick();
$node->poll_query_until('postgres', "select count(*) = 1 from got where ev_type = 'after'")
  or die 'event not consumed after reconnect';
pass('reconnected after the connection was killed');

# SIGTERM: stops between batches, exits 0
kill 'TERM', consumer_pid($h);
$h->finish;
is($h->result(0), 0, 'SIGTERM: clean exit');
like(slurp_file("$dir/listen.err"), qr/queue connection lost|retrying in/, 'connection loss logged');

# bad input: clear errors, no password shown
($rc, $out, $err) = run_consumer('-1', "host=/nonexistent port=1 password=sekrit123", 'q', 'c');
is($rc, 1, 'unreachable server: exit 1');
like($err, qr/cannot connect to the queue database/, 'says it cannot connect');
unlike($err . $out, qr/sekrit123/, 'password never shown');
($rc, $out, $err) = run_consumer('-1', $db, 'nosuch', 'c');
is($rc, 1, 'unknown queue: exit 1');
like($err, qr/Event queue not created yet/, 'unknown queue named in the error');
($rc, $out, $err) = run_consumer('-1', '-s', 'x', '-r', $db, $db, 'q', 'c');
is($rc, 1, 'sub-consumer with a target refused');
like($err, qr/sub-consumer cannot apply into a target/, 'and says why');
$node->safe_psql('postgres', "select pgq.insert_event('q', 'kept', 'x')");
tick();
($rc, $out, $err) = run_consumer('-1', '-q', '-i', 'nosuch_table', $db, 'q', 'c');
is($rc, 1, 'failing callback: exit 1');
like($err, qr/relation "nosuch_table" does not exist/, 'callback error logged');
($rc, $out, $err) = run_consumer('-1', '-q', '-i', 'got', $db, 'q', 'c');
is($node->safe_psql('postgres', "select count(*) from got where ev_type = 'kept'"), 1,
	'the failed batch came again and nothing was lost');

# unregister
($rc, $out, $err) = run_consumer('-U', $db, 'q', 'c');
is($rc, 0, 'unregistered');
is($node->safe_psql('postgres', "select count(*) from pgq.get_consumer_info('q')"), 0,
	'no consumer left');

$node->stop;
done_testing();
