# Correctness under load: producers that commit and roll back at random,
# transactions held open across many ticks, rotation forced every second,
# retries, three consumers (one of which retries some events), and the
# server killed with -m immediate in the middle.  At the end every
# committed event was consumed exactly once by each consumer (plus once
# more where a retry was asked for), and no rolled-back event was seen.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('stress');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 40\n");
$node->start;

$node->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('sq');
select pgq.set_queue_config('sq', 'ticker_max_count', '0');
select pgq.set_queue_config('sq', 'ticker_max_lag', '0');
select pgq.set_queue_config('sq', 'ticker_idle_period', '0');
select pgq.set_queue_config('sq', 'rotation_period', '0');
select pgq.register_consumer('sq', c) from unnest(array['c1', 'c2', 'c3']) c;

create sequence evid;
create table produced (id bigint primary key);
create table consumed (consumer text, id bigint, retry int, batch bigint);
create index on consumed (consumer, id);
create table rotations (at timestamptz default clock_timestamp(), cur int);

-- n events, each recorded in the same transaction
create function produce(n int) returns void language plpgsql as $$
declare id bigint;
begin
    for i in 1 .. n loop
        id := nextval('evid');
        perform pgq.insert_event('sq', 'stress', id::text);
        insert into produced values (id);
    end loop;
end $$;

-- one batch of consumer c, recorded in the batch's own transaction;
-- with do_retry, first deliveries of ids divisible by 7 are retried
create function consume_one(c text, do_retry bool) returns int
language plpgsql as $$
declare
    b bigint;
    ev record;
begin
    b := pgq.next_batch('sq', c);
    if b is null then
        return 0;
    end if;
    for ev in select * from pgq.get_batch_events(b) loop
        if do_retry and ev.ev_retry is null and ev.ev_data::bigint % 7 = 0 then
            perform pgq.event_retry(b, ev.ev_id, 0);
        else
            insert into consumed values (c, ev.ev_data::bigint, ev.ev_retry, b);
        end if;
    end loop;
    perform pgq.finish_batch(b);
    return 1;
end $$;

-- every batch of consumer c that is ready now, each finished
create function drain(c text, do_retry bool) returns int language plpgsql as $$
declare n int := 0;
begin
    while consume_one(c, do_retry) > 0 loop
        n := n + 1;
    end loop;
    return n;
end $$;

create function rotate() returns void language plpgsql as $$
declare before int; after int;
begin
    select queue_cur_table into before from pgq.queue where queue_name = 'sq';
    perform pgq.maint_rotate_tables_step1('sq');
    select queue_cur_table into after from pgq.queue where queue_name = 'sq';
    if before <> after then
        insert into rotations (cur) values (after);
    end if;
end $$;
});

my $dir = PostgreSQL::Test::Utils::tempdir;
my %scripts = (
	producer => q{
\set n random(1, 5)
\set r random(1, 10)
begin;
select produce(:n);
\if :r <= 3
rollback;
\else
commit;
\endif
\sleep 5 ms
},
	longtx => q{
\set r random(1, 3)
begin;
select produce(2);
\sleep 1200 ms
select produce(2);
\if :r = 1
rollback;
\else
commit;
\endif
\sleep 800 ms
},
	ticker => qq{select pgq.ticker();\n\\sleep 50 ms\n},
	maint => q{
select rotate();
select pgq.maint_rotate_tables_step2();
select pgq.maint_retry_events();
\sleep 1000 ms
},
	c1 => qq{select consume_one('c1', false);\n\\sleep 5 ms\n},
	c2 => qq{select drain('c2', false);\n\\sleep 300 ms\n},
	c3 => qq{select consume_one('c3', true);\n\\sleep 20 ms\n},);
for my $name (keys %scripts)
{
	PostgreSQL::Test::Utils::append_to_file("$dir/$name.sql", $scripts{$name});
}

# Start every worker; return the harnesses.  They run until stopped (or
# the server goes away): the stories below stop them on conditions, so a
# slow machine only makes the run longer.
sub start_load
{
	my $secs = 3600;
	my @h;
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	my %clients = (producer => 3);
	for my $name (sort keys %scripts)
	{
		my $c = $clients{$name} // 1;
		push @h,
		  IPC::Run::start(
			[
				'pgbench', '-n', '-c', $c, '-T', $secs, '-f',
				"$dir/$name.sql", 'postgres'
			],
			'>', '/dev/null', '2>', '/dev/null');
	}
	return @h;
}

sub stop_load
{
	for my $h (@_)
	{
		# TERM, not INT: a suite started in the background inherits SIGINT ignored
		$h->signal('TERM');
		$h->finish;
	}
}

# Phase 1: load, then the server is killed mid-work (events committed and
# consumed, a long transaction open) and restarted.
my @load = start_load();
ok( $node->poll_query_until(
		'postgres', q{
select (select count(*) from produced) >= 300
   and (select count(distinct consumer) from consumed) = 3
   and exists (select 1 from pg_stat_activity
                where query like '%produce(2)%' and backend_xid is not null
                  and pid <> pg_backend_pid())}),
	'phase 1: load under way');
$node->stop('immediate');
$node->start;
$_->finish for @load;
ok(1, 'server killed with -m immediate under load and restarted');

# Phase 2: load on the restarted server until a thousand more events
# committed and three more rotations.
my ($p1, $r1) = split /\|/, $node->safe_psql('postgres',
	'select (select count(*) from produced), (select count(*) from rotations)');
@load = start_load();
ok( $node->poll_query_until(
		'postgres', qq{
select (select count(*) from produced) >= $p1 + 1000
   and (select count(*) from rotations) >= $r1 + 3}),
	'phase 2: load under way');
stop_load(@load);

# Drain: retries due, a tick, every consumer reads all that is ready;
# done when a whole round, tick included, brings no event and no retry is
# left waiting.
my $drained = 0;
my $seen = -1;
for my $round (1 .. 100)
{
	my $now = $node->safe_psql('postgres', q{
select pgq.maint_rotate_tables_step2();
select pgq.maint_retry_events() from generate_series(1, 50);
select pgq.ticker();
select drain('c1', false) + drain('c2', false) + drain('c3', true);
select count(*) from pgq.retry_queue;
select count(*) from consumed;
});
	my @lines = split /\n/, $now;
	my ($left, $count) = @lines[-2, -1];
	if ($left == 0 && $count == $seen) { $drained = 1; last; }
	$seen = $count;
}
ok($drained, 'consumers drained the queue');

my $produced = $node->safe_psql('postgres', 'select count(*) from produced');
my $rotations = $node->safe_psql('postgres', 'select count(*) from rotations');
note("committed events: $produced, rotations: $rotations");
cmp_ok($produced, '>', 1000, 'producers committed events');
cmp_ok($rotations, '>=', 3, 'event tables rotated under load');

for my $c ('c1', 'c2', 'c3')
{
	is( $node->safe_psql(
			'postgres', qq{
select count(*) from produced p
  left join (select id, count(*) as n from consumed
              where consumer = '$c' group by id) c using (id)
 where c.n is distinct from 1}),
		'0',
		"$c: every committed event consumed exactly once");
	is( $node->safe_psql(
			'postgres', qq{
select count(*) from consumed c where c.consumer = '$c'
   and not exists (select 1 from produced p where p.id = c.id)}),
		'0',
		"$c: no rolled-back event seen");
}
is( $node->safe_psql(
		'postgres', q{
select count(*) from consumed where consumer = 'c3'
   and (id % 7 = 0) <> (retry is not distinct from 1)}),
	'0',
	'c3: retried events came back once, with ev_retry = 1; others never retried');
cmp_ok(
	$node->safe_psql(
		'postgres', q{select count(*) from consumed where consumer = 'c3' and retry = 1}),
	'>', 0, 'c3: some events were retried');

$node->stop;
done_testing();
