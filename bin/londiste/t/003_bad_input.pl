# Bad input gets a clear error and changes nothing: the command line and
# the ini file, add-table of a missing table, of a table without a primary
# key, of a table missing on a subscriber (and --create making it), a
# wrong provider, a provider that goes away under a running worker (it
# retries with back-off, never logging a password, and goes on once the
# provider is back), a second worker on the same pid file, an event type
# Londiste does not know.  Also the position commands: wait-root,
# wait-provider, worker --rewind and --reset.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use SkyTools::Pgqd;
use SkyTools::Wait;
use SkyTools::Londiste;

local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my $root = PostgreSQL::Test::Cluster->new('bad_root');
my $leaf = PostgreSQL::Test::Cluster->new('bad_leaf');
$_->init for $root, $leaf;
$_->start for $root, $leaf;
sub connstr { return node_connstr($_[0]); }

sub ini
{
	my ($name, $body) = @_;
	open my $fh, '>', "$dir/$name.ini" or die;
	print $fh $body;
	close $fh;
	return "$dir/$name.ini";
}
sub run { return londiste(@_); }

my $rini = ini('root', "[londiste]\ndb = " . connstr($root) . "\nqueue_name = bq\nlogfile = $dir/root.log\n");
my $lini = ini('leaf', "[londiste3]\ndb = " . connstr($leaf) . "\nqueue_name = bq\nlogfile = $dir/leaf.log\n"
	  . "pidfile = $dir/leaf.pid\nloop_delay = 0.2\nremote_extra_connstr = password=Secret123\n");

# the command line and the ini file
my ($rc, $out, $err) = run('-V');
like($out, qr/^londiste version \d/, '-V');
($rc, $out) = run('--ini');
like($out, qr/^#?queue_name = /m, '--ini prints a sample');
($rc, $out, $err) = run();
is($rc, 1, 'no arguments: exit 1');
like($err, qr/need config file and command/, 'and says so');
($rc, $out, $err) = run($rini, 'fly');
is($rc, 1, 'unknown command: exit 1');
like($err, qr/unknown command: fly/, 'and names it');
($rc, $out, $err) = run($rini, 'status', '--bogus');
like($err, qr/unknown option: --bogus/, 'unknown option named');
($rc, $out, $err) = run(ini('typo', "[londiste]\ndb = x\nqueue_name = q\nqeue_name = q\n"), 'status');
is($rc, 1, 'unknown ini key: exit 1');
like($err, qr/unknown parameter "qeue_name" in \[londiste\]/, 'and names the key');
($rc, $out, $err) = run(ini('nosect', "[other]\ndb = x\n"), 'status');
like($err, qr/section \[londiste\] missing/, 'no [londiste] section');
($rc, $out, $err) = run(ini('nodb', "[londiste]\nqueue_name = q\n"), 'status');
like($err, qr/db and queue_name are required/, 'db missing');
($rc, $out, $err) = run("$dir/none.ini", 'status');
like($err, qr/could not read config file/, 'missing ini file');
($rc, $out, $err) = run(ini('badint', "[londiste]\ndb = x\nqueue_name = q\nparallel_copies = two\n"), 'status');
like($err, qr/invalid value "two" for parallel_copies/, 'bad value');
($rc, $out, $err) = run($lini, '-s');
like($out, qr/Old process is not running/, '-s with nothing running');

# the root
($rc, $out, $err) = run($rini, 'create-root', 'r1', connstr($leaf));
is($rc, 1, 'create-root with a public connect string of another database: exit 1');
like($err, qr/public connect string reaches another database/, 'and says so');
is($root->safe_psql('postgres', q{select count(*) from pg_extension where extname in ('pgq', 'londiste')}), 0,
	'nothing installed');
($rc, $out, $err) = run($rini, 'create-root', 'r1', 'host=' . $root->host . ' port=1 dbname=postgres');
is($rc, 1, 'create-root with a public connect string nobody reaches: exit 1');
like($err, qr/cannot connect to the node's public connect string/, 'and says so');
($rc, $out, $err) = run($rini, 'create-root', 'r1', connstr($root));
is($rc, 0, 'create-root') or diag($err);
$root->safe_psql('postgres', q{
create table good (id int primary key, v text);
create table nopk (v text);
create table only_root (id int primary key, v text not null default 'x', n numeric(10,2));
});
($rc, $out, $err) = run($rini, 'add-table', 'nosuch');
is($rc, 1, 'add-table of a missing table: exit 1');
like($err, qr/Table does not exist: public\.nosuch/, 'and says which');
# (a table without a primary key is taken with a key of its own: 010;
# told to use an empty key, it is refused as upstream refuses them all)
($rc, $out, $err) = run($rini, 'add-table', 'nopk', '--trigger-arg=pkey=');
is($rc, 1, 'add-table of a table without a primary key, empty key given: exit 1');
like($err, qr/Primary key missing on table: public\.nopk/, 'and says why');
is($root->safe_psql('postgres', 'select count(*) from londiste.table_info'), 0, 'nothing registered');
is($root->safe_psql('postgres', q{select count(*) from pg_trigger where not tgisinternal
  and tgrelid in ('nopk'::regclass)}), 0, 'no trigger made');
($rc, $out, $err) = run($rini, 'add-table', 'good', '--handler=nosuch');
is($rc, 1, 'an unknown handler: exit 1');
like($err, qr/Unknown handler: nosuch/, 'and named');
($rc, $out, $err) = run($rini, 'add-table', 'good', '--handler=bulk', '--handler-arg=methd=1');
is($rc, 1, 'an unknown handler argument: exit 1');
like($err, qr/handler bulk: unknown argument "methd" \(it takes: method, ignore_truncate, encoding\)/,
	'and named with the ones it takes');
is($root->safe_psql('postgres', 'select count(*) from londiste.table_info'), 0, 'nothing registered');
($rc, $out, $err) = run($rini, 'add-table', 'good', 'only_root');
is($rc, 0, 'add-table of good tables') or diag($err);

# a subscriber: wrong providers first, nothing changes
($rc, $out, $err) = run($lini, 'create-leaf', 'l1', connstr($leaf), '--provider=host=' . $root->host . ' port=1 dbname=postgres');
is($rc, 1, 'an unreachable provider: exit 1');
like($err, qr/cannot connect to the provider/, 'and says so');
unlike($err, qr/Secret123/, 'without the password');
($rc, $out, $err) = run($lini, 'create-leaf', 'l1', connstr($leaf), '--provider=' . connstr($leaf));
is($rc, 1, 'a provider without the queue: exit 1');
like($err, qr/provider (has no cascade|cannot feed queue bq)/, 'and says so');
is($leaf->safe_psql('postgres', q{select count(*) from pg_extension where extname = 'londiste'}), 0,
	'nothing installed on the leaf');

$leaf->safe_psql('postgres', 'create table good (id int primary key, v text)');
($rc, $out, $err) = run($lini, 'create-leaf', 'l1', connstr($leaf), '--provider=' . connstr($root));
is($rc, 0, 'create-leaf') or diag($err);
($rc, $out, $err) = run($lini, 'add-table', 'only_root');
is($rc, 1, 'add-table of a table missing here: exit 1');
like($err, qr/Table does not exist: public\.only_root/, 'and says so');
($rc, $out, $err) = run($lini, 'add-table', 'only_root', '--create');
is($rc, 0, 'add-table --create') or diag($err);
is($leaf->safe_psql('postgres', q{select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
  || case when a.attnotnull then ' not null' else '' end, ', ' order by attnum)
  from pg_attribute a where attrelid = 'only_root'::regclass and attnum > 0}),
	'id integer not null, v text not null, n numeric(10,2)', 'created with the provider\'s columns');
is($leaf->safe_psql('postgres', q{select count(*) from pg_index where indrelid = 'only_root'::regclass and indisprimary}),
	1, 'and its primary key');
# --create-full: constraints, indexes, defaults (and their sequence),
# grants; a trigger whose function is missing here is skipped, named
$_->safe_psql('postgres', 'create role ld_reader') for $root, $leaf;
$root->safe_psql('postgres', q{
create function full_t_touch() returns trigger language plpgsql as 'begin return new; end';
create table full_t (id serial primary key, code text not null unique, n int default 7 check (n > 0),
  g int references good (id), ts timestamptz default now());
create index full_t_n on full_t (n) where n > 1;
create trigger full_t_touch before update on full_t for each row execute function full_t_touch();
grant select on full_t to ld_reader;
});
($rc, $out, $err) = run($rini, 'add-table', 'full_t');
is($rc, 0, 'add-table full_t on the root') or diag($err);
($rc, $out, $err) = run($lini, 'add-table', 'full_t', '--create-full');
is($rc, 0, 'add-table --create-full') or diag($err);
like($err, qr/creating public\.full_t: skipped "CREATE TRIGGER full_t_touch.*full_t_touch\(\) does not exist/,
	'a trigger whose function is missing here is skipped with a warning');
for my $q (q{select string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' order by conname)
    from pg_constraint where conrelid = 'full_t'::regclass},
  q{select string_agg(pg_get_indexdef(indexrelid), '; ' order by indexrelid::regclass::text)
    from pg_index where indrelid = 'full_t'::regclass},
  q{select string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || ' '
    || coalesce(pg_get_expr(adbin, adrelid), ''), ', ' order by attnum) from pg_attribute
    left join pg_attrdef on adrelid = attrelid and adnum = attnum
    where attrelid = 'full_t'::regclass and attnum > 0},
  q{select has_table_privilege('ld_reader', 'full_t', 'select')},
  q{select count(*) from pg_class where relname = 'full_t_id_seq' and relkind = 'S'})
{
	is($leaf->safe_psql('postgres', $q), $root->safe_psql('postgres', $q),
		'--create-full: the leaf has what the root has: ' . (split /\n/, $q)[0]);
}
# add-seq --create: a sequence the leaf lacks, made as the provider's
$root->safe_psql('postgres', q{create sequence s_odd as int increment by 2 minvalue 5 maxvalue 99999999 start 7 cycle});
($rc, $out, $err) = run($rini, 'add-seq', 's_odd');
is($rc, 0, 'add-seq on the root') or diag($err);
($rc, $out, $err) = run($lini, 'add-seq', 's_odd');
is($rc, 1, 'add-seq of a sequence missing here: exit 1');
($rc, $out, $err) = run($lini, 'add-seq', 's_odd', '--create');
is($rc, 0, 'add-seq --create') or diag($err);
my $seqdef = q{select data_type || ' ' || increment_by || ' ' || min_value || ' ' || max_value || ' ' || cycle
  from pg_sequences where sequencename = 's_odd'};
is($leaf->safe_psql('postgres', $seqdef), $root->safe_psql('postgres', $seqdef), 'made as the provider\'s');
# status --dead: a node taken as dead for this run
($rc, $out, $err) = run($lini, 'status', '--dead=l1');
like($out, qr/l1: DEAD/, 'status --dead=NODE shows it dead');
($rc, $out, $err) = run($lini, 'add-table', 'good', '--expect-sync');
is($rc, 0, 'add-table good on the leaf') or diag($err);

# the worker; a second one on the same pid file is refused
my $w = start_londiste($lini, "$dir/w");
ok(wait_until('the pid file', sub { -s "$dir/leaf.pid" }), 'the worker wrote its pid file');
($rc, $out, $err) = run($lini, 'worker');
is($rc, 1, 'a second worker: exit 1');
like($err, qr/pidfile exists, another instance running/, 'and says why');

# the provider goes away and comes back
my $pgqd = start_pgqd($root, "$dir", "ticker_period = 0.2\n");
$root->safe_psql('postgres', q{insert into good values (1, 'before')});
ok($leaf->poll_query_until('postgres', q{select count(*) = 1 from good}), 'replicating');
ok($leaf->poll_query_until('postgres', q{select bool_and(merge_state = 'ok')
  from londiste.get_table_list('bq') where local}), 'only_root copied');
$root->stop('fast');
ok(wait_for_log("$dir/leaf.log", qr/retrying in \d+ s/), 'the worker retries with back-off');
$root->start;
$root->safe_psql('postgres', q{insert into good values (2, 'after')});
ok($leaf->poll_query_until('postgres', q{select count(*) = 2 from good}), 'and goes on once the provider is back');
# an UPDATE that finds no row on the subscriber stops the worker there
$leaf->safe_psql('postgres', q{set session_replication_role = replica; delete from good where id = 1});
$root->safe_psql('postgres', q{update good set v = 'changed' where id = 1; insert into good values (3, 'behind')});
ok(wait_for_log("$dir/leaf.log", qr/UPDATE on public\.good found no row with id=1 \(event \d+\)/),
	'a missing row fails the batch, naming the table and the key');
is($leaf->safe_psql('postgres', q{select count(*) from good where id = 3}), 0,
	'and nothing of the batch is applied');
kill 'INT', $w->{KIDS}[0]{PID};
$w->finish;
is($w->result(0), 0, 'the worker stops on SIGINT');
# missing_row = warning: logged, and the worker goes on (as upstream)
$w = start_londiste($lini, "$dir/w2", '--set=missing_row=warning', '--set=register_skip_tables=secret*, other.x');
# register_skip_tables: tables the root adds later are registered here
# unless the list names them
$root->safe_psql('postgres', q{create table secret_t (id int primary key); create table open_t (id int primary key)});
($rc, $out, $err) = run($rini, 'add-table', 'secret_t', 'open_t');
is($rc, 0, 'two more tables on the root') or diag($err);
ok($leaf->poll_query_until('postgres', q{select count(*) = 1 from londiste.table_info where table_name = 'public.open_t'}),
	'the leaf registers one');
is($leaf->safe_psql('postgres', q{select count(*) from londiste.table_info where table_name = 'public.secret_t'}), 0,
	'but not the one register_skip_tables names');
ok($leaf->poll_query_until('postgres', q{select count(*) = 1 from good where id = 3}),
	'with missing_row = warning the worker goes on');
like(slurp_file("$dir/leaf.log"), qr/WARNING UPDATE on public\.good found no row with id=1/,
	'and logs the missing row as a warning');
# inserts go as one COPY: a duplicate key fails it, naming the events,
# and the batch comes again once the conflict is gone
$leaf->safe_psql('postgres', q{set session_replication_role = replica; insert into good values (5, 'local')});
$root->safe_psql('postgres', q{insert into good values (5, 'root'), (6, 'six')});
ok(wait_for_log("$dir/leaf.log", qr/COPY of 2 rows into public\.good \(events \d+\.\.\d+\): .*duplicate key/),
	'a failed COPY of inserts names the table and the events');
is($leaf->safe_psql('postgres', q{select count(*) from good where id = 6}), 0, 'nothing of that batch applied');
$leaf->safe_psql('postgres', q{set session_replication_role = replica; delete from good where id = 5});
ok($leaf->poll_query_until('postgres', q{select string_agg(v, ',' order by id) = 'root,six' from good where id in (5, 6)}),
	'the batch applies once the conflict is gone');

# UPDATEs of several keys go as one statement; the rows it misses are
# named one by one (missing_row = warning here: the others apply)
$leaf->safe_psql('postgres', q{set session_replication_role = replica; delete from good where id in (3, 5)});
$root->safe_psql('postgres', q{update good set v = v || '+' where id in (2, 3, 5, 6)});
ok(wait_for_log("$dir/leaf.log", qr/WARNING UPDATE on public\.good found no row with id=5/),
	'a bulk UPDATE names a missing row');
like(slurp_file("$dir/leaf.log"), qr/WARNING UPDATE on public\.good found no row with id=3 /,
	'and the other one');
ok($leaf->poll_query_until('postgres', q{select string_agg(v, ',' order by id) = 'after+,six+' from good where id in (2, 6)}),
	'the rows found are updated');
$leaf->safe_psql('postgres', q{set session_replication_role = replica;
  insert into good values (3, 'behind+'), (5, 'root+')});

# wait-root / wait-provider return once the worker has the tick
my $root_tick = $root->safe_psql('postgres', q{select last_tick_id from pgq.get_queue_info('bq')});
for my $cmd (qw(wait-provider wait-root))
{
	($rc, $out, $err) = run($lini, $cmd);
	is($rc, 0, "$cmd returns") or diag($err);
	cmp_ok($leaf->safe_psql('postgres', q{select worker_last_tick from pgq_node.get_node_info('bq')}),
		'>=', $root_tick, "$cmd: the worker has the root's tick $root_tick");
}

# worker --rewind / --reset repair the position, one side from the other
kill 'INT', $w->{KIDS}[0]{PID};
$w->finish;
my ($wname, $done) = split /\|/, $leaf->safe_psql('postgres',
	q{select worker_name || '|' || worker_last_tick from pgq_node.get_node_info('bq')});
my $older = $root->safe_psql('postgres', qq{select max(tick_id) from pgq.tick where tick_id < $done
  and tick_queue = (select queue_id from pgq.queue where queue_name = 'bq')});
my $provider_pos = qq{select last_tick from pgq.get_consumer_info('bq', '$wname')};
$root->safe_psql('postgres', qq{select pgq.register_consumer_at('bq', '$wname', $older)});
is($root->safe_psql('postgres', $provider_pos), $older, 'the provider\'s position moved back by hand');
($rc, $out, $err) = run($lini, 'worker', '--rewind');
is($rc, 0, 'worker --rewind') or diag($err);
is($root->safe_psql('postgres', $provider_pos), $done, '--rewind: the provider\'s position is the local one again');
$leaf->safe_psql('postgres', qq{select * from pgq_node.set_consumer_completed('bq', '$wname', $older)});
($rc, $out, $err) = run($lini, 'worker', '--reset');
is($rc, 0, 'worker --reset') or diag($err);
is($leaf->safe_psql('postgres', q{select worker_last_tick from pgq_node.get_node_info('bq')}), $done,
	'--reset: the local position is the provider\'s again');
$w = start_londiste($lini, "$dir/w3");
$root->safe_psql('postgres', q{insert into good values (8, 'after the repairs')});
ok($leaf->poll_query_until('postgres', q{select count(*) = 1 from good where id = 8}),
	'the worker goes on after the repairs');
# (row 1 was deleted on the leaf by hand above)
my $rows = q{select string_agg(id || '=' || v, ',' order by id) from good where id <> 1};
is($leaf->safe_psql('postgres', $rows), $root->safe_psql('postgres', $rows), 'the leaf equals the root: nothing lost or doubled');

# an event type Londiste does not know stops the batch, as upstream does
$root->safe_psql('postgres', q{begin; select pgq.insert_event('bq', 'bogus.type', 'x');
  insert into good values (9, 'behind the bogus event'); commit;});
ok(wait_for_log("$dir/leaf.log", qr/Unhandled event type in queue: bogus\.type/),
	'an unknown event type fails the batch and is named');
is($leaf->safe_psql('postgres', q{select count(*) from good where id = 9}), 0, 'nothing of that batch applied');

stop_pgqd($pgqd);
kill 'INT', $w->{KIDS}[0]{PID};
$w->finish;
my $log = slurp_file("$dir/leaf.log") . slurp_file("$dir/w.err") . slurp_file("$dir/w2.err");
unlike($log, qr/Secret123|password=/, 'no password in the log');
like($log, qr/cannot connect|connection/i, 'the connection failure is logged');
my $fails = () = $log =~ /cannot connect to the queue database/g;
cmp_ok($fails, '<', 30, "each failed attempt logged once, with back-off between ($fails lines)");
$_->stop for $root, $leaf;
done_testing();
