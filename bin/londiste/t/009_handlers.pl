# Table handlers on real clusters: a root, two subscribers (leaf a and
# branch b) and a leaf d under b.
#   bulk        (leaf a) a key's events in one batch arrive as their net
#               effect: a trigger on the leaf sees one INSERT and one UPDATE
#   dispatch    (leaf a) daily_field into declarative partitions, made when
#               missing, copied and replayed rows alike; bulk_monthly_field
#               into inheritance partitions
#   shard       (both) each leaf keeps its half; the halves are disjoint and
#               add up to the root
#   obfuscate   (branch b) no clear value of the hashed columns reaches it;
#               a skipped column never does; updates still find their rows;
#               it passes the events on obfuscated: leaf d (default
#               handler) gets no clear value either
#   qtable      (root) rows queued, never stored; qsplitter (leaf a) puts
#               them into a queue of its own
#   applyfn, multimaster (leaf b) each event to a function; vtable
#   a user's handler from examples/ (handler_modules)
#   change-handler, show-handlers; an unknown handler, an unknown argument
#   and a bad value are refused and add nothing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SkyTools::Wait;
use SkyTools::Londiste;

my ($rc, $out, $err);
local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
my $dir = PostgreSQL::Test::Utils::tempdir;
my %node;
for my $name (qw(root a b d))
{
	my $n = PostgreSQL::Test::Cluster->new("h_$name");
	$n->init;
	$n->append_conf('postgresql.conf', "timezone = 'UTC'");
	$n->start;
	$node{$name} = $n;
}
sub sql { my ($n, $q) = @_; return $node{$n}->safe_psql('postgres', $q); }

sql('root', q{
create table b (id int primary key, v text);
create table ev (id int primary key, at timestamptz not null, v text);
create table mon (id int primary key, at timestamptz not null, v text);
create table sh (id int primary key, v text);
create table ob (id int primary key, email text, score int, note text, data json);
create table q (id int primary key, v text);
create table fn (id int primary key, v text);
create table mm (id int primary key, v text);
create table vt (id int primary key, v text);
create table up (id int primary key, v text);
insert into b values (3, 'three');
insert into ev select i, timestamptz '2024-03-01 12:00+00' + (i % 3) * interval '1 day', 'e' || i
  from generate_series(1, 30) i;
insert into sh select i, 's' || i from generate_series(1, 200) i;
insert into ob values (1, 'alice@example.com', 42, 'secret note', '{"user": "alice", "n": 5}');
insert into up values (1, 'copied');
insert into vt values (100, 'on the root');
});
# leaf a: bulk (with a trigger that logs what reaches the table), dispatch
sql('a', q{
create table b (id int primary key, v text);
create table b_log (op text, id int);
create function b_log() returns trigger language plpgsql as $$
begin
  insert into b_log values (tg_op, coalesce(new.id, old.id));
  return null;
end $$;
create trigger b_log after insert or update or delete on b for each row execute function b_log();
alter table b enable always trigger b_log;
create table ev (id int, at timestamptz not null, v text, primary key (id, at)) partition by range (at);
create table mon (id int primary key, at timestamptz not null, v text);
create table sh (id int primary key, v text);
});
sql('d', q{create table ob (id int primary key, email text, score int, note text, data json);
  create table vt (id int primary key, v text)});
sql('b', q{
create table sh (id int primary key, v text);
create table ob (id int primary key, email text, score int, note text, data json);
create table up (id int primary key, v text);
create table mm (id int primary key, v text);
create table fn_log (conf text, tick bigint, ev_id bigint, ev_type text, ev_data text, extra1 text);
create function public.apply_fn(conf text, tick int8, id int8, t timestamptz, txid int8, retry int4,
    type text, data text, e1 text, e2 text, e3 text, e4 text) returns int language sql as
  $$ insert into fn_log values (conf, tick, id, type, data, e1); select 1 $$;
create table mm_log (conf text, ev_type text);
create function public.merge_on_time(conf text, tick int8, id int8, t timestamptz, txid int8, retry int4,
    type text, data text, e1 text, e2 text, e3 text, e4 text) returns int language sql as
  $$ insert into mm_log values (conf, type); select 1 $$;
});

PostgreSQL::Test::Utils::append_to_file("$dir/obf.yaml", <<'YAML');
public.ob:
  id: keep
  email: hash
  score: hash32
  note: skip
  data:
    user: hash
    n: keep
YAML
my $so = "$ENV{SKYTOOLS_TOP}/examples/londiste_handler_upper.so";
my %extra = (
	a => "shard_info_sql = select 0, 1, 2\n",
	b => "shard_info_sql = select 1, 1, 2\nobfuscator_map = $dir/obf.yaml\n"
	  . "obfuscator_key = not-so-secret\nhandler_modules = $so\n");
my %ini = map { $_ => londiste_ini($dir, $_, $node{$_}, 'hq', $extra{$_}) } keys %node;
sub ld { my ($n, @a) = @_; return londiste($ini{$n}, @a); }
sub ok_ld { my ($n, @a) = @_; return (londiste_ok($ini{$n}, @a))[0]; }
ok_ld('root', 'create-root', 'root', node_connstr($node{root}));
ok_ld('a', 'create-leaf', 'a', node_connstr($node{a}), '--provider=' . node_connstr($node{root}));
ok_ld('b', 'create-branch', 'b', node_connstr($node{b}), '--provider=' . node_connstr($node{root}));
ok_ld('d', 'create-leaf', 'd', node_connstr($node{d}), '--provider=' . node_connstr($node{b}));
sql('a', q{select pgq.create_queue('qout')});

# handlers on the root: shard's hash, qtable's skip
ok_ld('root', 'add-table', 'b', 'ev', 'mon', 'ob', 'fn', 'mm', 'vt', 'up');
ok_ld('root', 'add-table', 'sh', '--handler=shard', '--handler-arg=key=id');
ok_ld('root', 'add-table', 'q', '--handler=qtable');
like(sql('root', q{select encode(tgargs, 'escape') from pg_trigger where tgname = '_londiste_hq' and tgrelid = 'sh'::regclass}),
	qr/ev_extra3='hash='\|\|hashtext\("?id"?::text\)/, 'shard: the root trigger puts the hash in extra3');
is(sql('root', q{select tgname from pg_trigger where tgrelid = 'q'::regclass and not tgisinternal and tgname not like '%truncate'}),
	'zzz__londiste_hq', 'qtable: a SKIP trigger on the root');

# bad input first: refused, nothing added
for my $bad ([ [ '--handler=nosuch' ], qr/Unknown handler: nosuch/ ],
	[ [ '--handler=bulk', '--handler-arg=nosuch=1' ], qr/unknown argument "nosuch"/ ],
	[ [ '--handler=bulk', '--handler-arg=method=9' ], qr/invalid method=9/ ],
	[ [ '--handler=dispatch', '--handler-arg=part_mode=date_field' ], qr/needs part_field/ ],
	[ [ '--handler=bulk(method=1' ], qr/unbalanced/ ])
{
	my ($rc, $out, $err) = ld('a', 'add-table', 'b', @{ $bad->[0] });
	isnt($rc, 0, "add-table @{$bad->[0]} refused");
	like($err, $bad->[1], '... saying why');
}
is(sql('a', q{select count(*) from londiste.table_info where local}), '0', 'nothing was added');

ok_ld('a', 'add-table', 'b', '--handler=bulk');
ok_ld('a', 'add-table', 'ev', '--handler=daily_field', '--handler-arg=part_field=at');
ok_ld('a', 'add-table', 'mon', '--handler=bulk_monthly_field', '--handler-arg=part_field=at');
ok_ld('a', 'add-table', 'sh', '--handler=shard', '--handler-arg=key=id');
ok_ld('a', 'add-table', 'q', '--handler=qsplitter', '--handler-arg=queue=qout');
ok_ld('b', 'add-table', 'sh', '--handler=shard', '--handler-arg=key=id');
ok_ld('b', 'add-table', 'ob', '--handler=obfuscate');
ok_ld('b', 'add-table', 'fn', '--handler=applyfn', '--handler-arg=func_name=public.apply_fn',
	'--handler-arg=func_conf=x=1');
ok_ld('b', 'add-table', 'mm', '--handler=multimaster', '--handler-arg=site=b');
ok_ld('b', 'add-table', 'vt', '--handler=vtable');
ok_ld('b', 'add-table', 'up', '--handler=upper', '--handler-arg=column=v');
like(sql('a', q{select table_attrs from londiste.table_info where table_name = 'public.ev'}),
	qr/^handler=daily_field%28part_field%3Dat%29$/, 'the handler is stored urlencoded, as upstream stores it');

my %pgqd = start_pgqds($dir, root => $node{root}, a => $node{a}, b => $node{b});
my %w = map { $_ => start_londiste($ini{$_}, "$dir/$_") } keys %node;
ok_ld('d', 'add-table', 'ob');
# b keeps vt as a vtable: d copies it from the first node up that stores it
ok_ld('d', 'add-table', 'vt', '--find-copy-node');
for my $n (qw(a b d))
{
	ok($node{$n}->poll_query_until('postgres',
			q{select count(*) = 0 from londiste.table_info where local and merge_state is distinct from 'ok'}),
		"$n: every table in sync");
}

# bulk: one transaction, one batch; the leaf's trigger sees the net effect
sql('root', q{begin;
insert into b values (1, 'one'); update b set v = 'one!' where id = 1; delete from b where id = 1;
insert into b values (2, 'two'); update b set v = 'two!' where id = 2; update b set v = 'two!!' where id = 2;
delete from b where id = 3; insert into b values (3, 'three again');
commit});
ok($node{a}->poll_query_until('postgres', q{select count(*) = 2 from b where v in ('two!!', 'three again')}),
	'bulk: the end state arrives');
is(sql('a', q{select string_agg(op || ' ' || id, ', ' order by op, id) from b_log}),
	'INSERT 2, INSERT 3, UPDATE 3', 'bulk: 2 inserted once, 3 (copied) updated once, 1 never written');
# (INSERT 3 is the initial copy's; the batch then gives 3 one UPDATE)

# dispatch: replayed rows of new days; updates keep the latest row
sql('root', q{insert into ev select i, timestamptz '2024-03-10 12:00+00' + (i % 2) * interval '1 day', 'r' || i
  from generate_series(31, 40) i;
update ev set v = 'updated' where id in (1, 31);
insert into mon select i, timestamptz '2024-01-15 12:00+00' + (i % 3) * interval '1 month', 'm' || i
  from generate_series(1, 30) i;
update mon set v = 'changed' where id = 4});
ok($node{a}->poll_query_until('postgres', q{select count(*) = 40 from ev}), 'dispatch: every row of ev arrived');
is(sql('a', q{select count(*) from ev where tableoid::regclass::text <> 'ev_' || to_char(at, 'YYYY_MM_DD')}), '0',
	'dispatch: each row in its day\'s partition');
is(sql('a', q{select string_agg(c.relname, ',' order by c.relname) from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'ev'::regclass and c.relispartition}),
	'ev_2024_03_01,ev_2024_03_02,ev_2024_03_03,ev_2024_03_10,ev_2024_03_11',
	'dispatch: declarative partitions made for copied and replayed days');
is(sql('a', q{select v from ev where id in (1, 31) order by id}), "updated\nupdated", 'dispatch: keep_latest');
ok($node{a}->poll_query_until('postgres', q{select count(*) = 30 and count(*) filter (where v = 'changed') = 1 from mon}),
	'dispatch (bulk, inheritance): every row of mon arrived');
is(sql('a', q{select count(*) from mon where tableoid::regclass::text <> 'mon_' || to_char(at, 'YYYY_MM')}), '0',
	'dispatch: each row in its month\'s child table');
is(sql('a', q{select count(*) from pg_inherits where inhparent = 'mon'::regclass}), '3', 'dispatch: three months');

# shard: halves
sql('root', q{insert into sh select i, 's' || i from generate_series(201, 300) i; update sh set v = v || '!' where id % 10 = 0;
  delete from sh where id % 7 = 0});
my $want = sql('root', q{select count(*) from sh});
ok(wait_until('the shard halves', sub {
	sql('a', q{select count(*) from sh}) + sql('b', q{select count(*) from sh}) == $want
	  && sql('a', q{select count(*) from sh where v like '%!'}) + sql('b', q{select count(*) from sh where v like '%!'})
		== sql('root', q{select count(*) from sh where v like '%!'}) }), 'shard: the halves add up to the root');
my $root_rows = sql('root', q{select string_agg(id || ':' || v, ',' order by id) from sh});
my $ids_a = sql('a', q{select string_agg(id::text, ',' order by id) from sh});
my $ids_b = sql('b', q{select string_agg(id::text, ',' order by id) from sh});
my %seen;
$seen{$_}++ for split(/,/, $ids_a), split(/,/, $ids_b);
is(scalar(grep { $_ > 1 } values %seen), 0, 'shard: no row on both leaves');
ok(length($ids_a) > 0 && length($ids_b) > 0, 'shard: both leaves have rows');
is(sql('a', q{select count(*) from sh where (hashtext(id::text) & 1) <> 0}), '0', 'shard: leaf a holds shard 0 only');

# compare reads the shard's share on both sides, and a partitioned table whole
($rc, $out, $err) = ld('a', 'compare', 'sh', 'ev');
is($rc, 0, 'compare: the shard and the partitioned table equal their share of the root') or diag($err);
like($err, qr/public\.sh: compared where \(hashtext\("?id"?::text\) & 1\) = 0/, 'compare: with the shard\'s condition');
sql('a', q{set session_replication_role = replica; delete from sh where id = (select min(id) from sh); delete from ev where id = 5});
($rc, $out, $err) = ld('a', 'compare', 'sh', 'ev');
is($rc, 2, 'compare: a row missing from each: two tables differ');

# obfuscate
sql('root', q{insert into ob values (2, 'bob@example.com', 7, 'note', '{"user": "bob", "n": 6}');
update ob set score = 43 where id = 1; delete from ob where id = 2;
insert into ob values (3, 'carol@example.com', 1, 'x', null)});
ok($node{b}->poll_query_until('postgres', q{select count(*) = 2 from ob}), 'obfuscate: rows arrive');
my $leaf_ob = sql('b', q{select string_agg(concat_ws('|', id, email, score, note, data), E'\n' order by id) from ob});
unlike($leaf_ob, qr/alice|bob|carol|example|secret|note/, 'obfuscate: no clear value reaches the leaf')
  or diag($leaf_ob);
is(sql('b', q{select count(*) from ob where email ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'}),
	'2', 'obfuscate: hash looks like a UUID');
is(sql('b', q{select count(*) from ob where note is not null}), '0', 'obfuscate: a skipped column is not sent');
is(sql('b', q{select data->>'n' from ob where id = 1}), '5', 'obfuscate: a kept JSON key stays');
isnt(sql('b', q{select score from ob where id = 1}), '43', 'obfuscate: hash32 of the updated value');
ok($node{d}->poll_query_until('postgres', q{select count(*) = 2 from ob}), 'obfuscate: the leaf under the branch gets the rows');
is(sql('d', q{select string_agg(concat_ws('|', id, email, score, note, data), E'\n' order by id) from ob}), $leaf_ob,
	'obfuscate: the branch passed on what it applied (copy and events alike): no clear value below it');

# qtable + qsplitter
sql('root', q{insert into q values (1, 'queued'), (2, 'also')});
is(sql('root', q{select count(*) from q}), '0', 'qtable: the root stores nothing');
ok($node{a}->poll_query_until('postgres', q{select count(*) = 2 from pgq.event_template e
  where e.tableoid::regclass::text like 'pgq.event_' || (select queue_id from pgq.queue where queue_name = 'qout') || '_%'
    and ev_type = 'I:id' and ev_extra1 = 'public.q'}), 'qsplitter: the events are in the leaf\'s own queue');

# applyfn, multimaster, vtable, the user's handler
sql('root', q{insert into fn values (1, 'f'); insert into mm values (1, 'm'); insert into vt values (1, 'v');
  insert into up values (2, 'replayed')});
ok($node{b}->poll_query_until('postgres', q{select count(*) = 1 from fn_log}), 'applyfn: the function ran');
like(sql('b', q{select concat_ws('|', conf, ev_type, ev_data, extra1) from fn_log}), qr/^x=1\|I:id\|id=1&v=f\|public\.fn$/,
	'applyfn: with its settings and the event');
ok($node{b}->poll_query_until('postgres', q{select count(*) = 1 from mm_log where conf = 'site=b'}),
	'multimaster: merge_on_time with the settings urlencoded');
ok($node{b}->poll_query_until('postgres', q{select count(*) = 2 from up}), 'user handler: rows arrive');
is(sql('b', q{select string_agg(v, ',' order by id) from up}), 'COPIED,REPLAYED', 'user handler: copied and replayed rows');
is(sql('b', q{select to_regclass('vt') is null and to_regclass('fn') is null}), 't', 'vtable, applyfn: no table needed');
ok($node{d}->poll_query_until('postgres', q{select count(*) = 2 from vt}),
	'd: vt copied from the root past b (which has no table) and replayed through b');
like(slurp_file("$dir/d.log"), qr/copy public\.vt from node root/, 'd: the copy went to the root');
($rc, $out, $err) = ld('d', 'compare', 'vt');
is($rc, 0, 'd: compare vt against the node that stores it') or diag($err);
like($err, qr/public\.vt: compared with node root/, 'd: compare went to the root');

# change-handler, show-handlers
ok_ld('a', 'change-handler', 'b');
is(sql('a', q{select coalesce(table_attrs, '') from londiste.table_info where table_name = 'public.b'}), '',
	'change-handler: back to the default');
($rc, $out, $err) = ld('a', 'change-handler', 'b', '--handler=bulk', '--handler-arg=what=1');
isnt($rc, 0, 'change-handler with an unknown argument refused');
is(sql('a', q{select coalesce(table_attrs, '') from londiste.table_info where table_name = 'public.b'}), '',
	'... and nothing changed');
ok_ld('a', 'change-handler', 'b', '--handler=bulk', '--handler-arg=method=1');
sql('root', q{insert into b values (10, 'ten')});
ok($node{a}->poll_query_until('postgres', q{select count(*) = 1 from b where id = 10}), 'replay goes on after change-handler');
$out = ok_ld('a', 'show-handlers');
like($out, qr/^bulk\s/m, 'show-handlers lists bulk');
like($out, qr/^dispatch\s/m, '... and dispatch');
$out = ok_ld('b', 'show-handlers', 'upper', 'daily_field');
like($out, qr/upper: rows applied with one column in capitals/, 'show-handlers: a module\'s handler');
like($out, qr/a preset of dispatch: .*period=day/, 'show-handlers: a preset');
($rc, $out, $err) = ld('a', 'show-handlers', 'nosuch');
isnt($rc, 0, 'show-handlers of an unknown handler fails');

$_->kill_kill for values %w;
$_->kill_kill for values %pgqd;
done_testing();
