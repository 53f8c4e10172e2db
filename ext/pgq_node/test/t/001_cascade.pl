# A cascade over three clusters, root -> branch -> leaf, driven by plain
# SQL calls in the order a node worker makes them (C.7 of the spec):
# batches from the root reach the branch's queue with the same tick ids,
# event ids and tick times; the leaf follows the branch and applies every
# event once; the global watermark moves only when every node has passed
# a tick; rotation on the root keeps what a lagging leaf still needs, so
# the leaf can be moved onto the root and go on from where it was.  The
# branch worker copies a batch's events, records its position and ticks
# in one transaction per batch.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;

my %node;
for my $name (qw(root branch leaf))
{
	$node{$name} = PostgreSQL::Test::Cluster->new($name);
	$node{$name}->init;
	$node{$name}->start;
	$node{$name}->safe_psql('postgres', 'create extension pgq_node cascade');
}
my $R = $node{root};
my $B = $node{branch};
my $L = $node{leaf};
sub sql { my ($n, $q) = @_; return $n->safe_psql('postgres', $q); }
sub loc { my ($name) = @_; return $node{$name}->connstr('postgres'); }
sub lit { my ($s) = @_; return 'NULL' unless defined $s; $s =~ s/'/''/g; return "'$s'"; }

# --- admin: create-root, create-branch, create-leaf ---
is(sql($R, "select ret_code from pgq_node.register_location('cq', 'root', " . lit(loc('root')) . ", false)"), 200, 'root location');
is(sql($R, "select ret_note from pgq_node.create_node('cq', 'root', 'root', 'w_root', null, null, null)"),
	'Node "root" initialized for queue "cq" with type "root"', 'root created');
sql($R, q{
select pgq.set_queue_config('cq', 'ticker_max_count', '0');
select pgq.set_queue_config('cq', 'ticker_max_lag', '0');
select pgq.set_queue_config('cq', 'rotation_period', '0');
create table produced (id int primary key);
});

sql($R, "select pgq_node.register_location('cq', 'branch', " . lit(loc('branch')) . ", false)");
my $wm = sql($R, "select global_watermark from pgq_node.register_subscriber('cq', 'branch', 'w_branch', null)");
for my $n (qw(root branch))
{
	sql($B, "select pgq_node.register_location('cq', '$n', " . lit(loc($n)) . ", false)");
}
is(sql($B, "select ret_code from pgq_node.create_node('cq', 'branch', 'branch', 'w_branch', 'root', $wm, null)"),
	200, "branch created at global watermark $wm");

sql($R, "select pgq_node.register_location('cq', 'leaf', " . lit(loc('leaf')) . ", false)");
sql($B, "select pgq_node.register_location('cq', 'leaf', " . lit(loc('leaf')) . ", false)");
$wm = sql($B, "select global_watermark from pgq_node.register_subscriber('cq', 'leaf', 'w_leaf', null)");
for my $n (qw(root branch leaf))
{
	sql($L, "select pgq_node.register_location('cq', '$n', " . lit(loc($n)) . ", false)");
}
is(sql($L, "select ret_code from pgq_node.create_node('cq', 'leaf', 'leaf', 'w_leaf', 'branch', $wm, null)"),
	200, 'leaf created under the branch');
sql($L, 'create table applied (ev_id bigint, ev_data text)');

# --- producer and ticker on the root ---
my $produced = 0;
sub produce
{
	my ($n) = @_;
	my $from = $produced + 1;
	$produced += $n;
	sql($R, qq{
insert into produced select generate_series($from, $produced);
select pgq.insert_event('cq', 'row', i::text) from generate_series($from, $produced) i;});
	return sql($R, "select pgq.ticker('cq')");
}

# --- the worker: one step = at most one batch ---
# target: the node worked on; returns 1 if a batch was processed or
# skipped, 0 if there was none.
sub worker_step
{
	my ($tname) = @_;
	my $T = $node{$tname};
	my $worker = "w_$tname";
	my ($ret, $type, $completed, $provider, $uptodate, $paused) = split /\|/,
	  sql($T, "select ret_code, node_type, completed_tick, provider_node, uptodate, paused from pgq_node.get_worker_state('cq')");
	die "worker state: $ret" unless $ret == 100;
	return 0 if $paused eq 't';
	sql($T, "select pgq_node.set_consumer_uptodate('cq', '$worker', true)") if $uptodate eq 'f';
	my $P = $node{$provider};

	my ($batch, $prev, $cur, $cur_time, $cur_seq) = split /\|/, sql($P, qq{
select batch_id, prev_tick_id, cur_tick_id, cur_tick_time, cur_tick_event_seq
  from pgq.next_batch_info('cq', '$worker')});
	return 0 unless $batch;

	if ($prev == $completed)
	{
		my $json = sql($P, "select coalesce(json_agg(e order by ev_id), '[]') from pgq.get_batch_events($batch) e");
		my $events = decode_json($json);
		my $rows = "json_to_recordset(\$ev\$$json\$ev\$) as x(ev_id bigint, ev_time timestamptz,"
		  . " ev_retry int4, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text,"
		  . " ev_extra3 text, ev_extra4 text)";
		my $tx = "begin;\n";
		if ($type eq 'branch')
		{
			# copy keeping the ids (inserts are disabled on a branch)
			$tx .= "set local session_replication_role = replica;\n"
			  . "select pgq.current_event_table('cq') as tbl \\gset\n"
			  . "insert into :tbl (ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
			  . " select ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from $rows;\n";
		}
		else
		{
			$tx .= "insert into applied select ev_id, ev_data from $rows where ev_type not like 'pgq.%';\n";
		}
		for my $e (@$events)
		{
			my $t = $e->{ev_type};
			if ($t eq 'pgq.location-info')
			{
				$tx .= "select pgq_node.register_location('cq', " . lit($e->{ev_data}) . ', '
				  . lit($e->{ev_extra2}) . ', ' . lit($e->{ev_extra3}) . "::boolean);\n";
			}
			elsif ($t eq 'pgq.unregister-location')
			{
				$tx .= "select pgq_node.unregister_location('cq', " . lit($e->{ev_data}) . ");\n";
			}
			elsif ($t eq 'pgq.global-watermark')
			{
				$tx .= "select pgq_node.set_global_watermark('cq', $e->{ev_data});\n";
			}
		}
		$tx .= "select pgq_node.set_consumer_completed('cq', '$worker', $cur);\n";
		$tx .= "select pgq.ticker('cq', $cur, '$cur_time', $cur_seq);\n" if $type eq 'branch';
		$tx .= "commit;\n";
		sql($T, $tx);
	}
	elsif ($cur != $completed)
	{
		die "Lost position: batch $prev..$cur, dst has $completed";
	}
	sql($P, "select pgq.finish_batch($batch)");
	return 1;
}

sub drain
{
	my ($tname) = @_;
	my $n = 0;
	$n++ while worker_step($tname);
	return $n;
}

# watermark reports, as the workers send them periodically: each
# non-root node tells its provider its local watermark; the root
# publishes the global one
sub report_watermarks
{
	for my $tname (qw(leaf branch))
	{
		my $T = $node{$tname};
		my ($provider, $lwm) = split /\|/,
		  sql($T, "select provider_node, local_watermark from pgq_node.get_node_info('cq')");
		sql($node{$provider}, "select pgq_node.set_subscriber_watermark('cq', '$tname', $lwm)");
	}
	return sql($R, "select ret_note from pgq_node.set_global_watermark('cq', null)");
}
sub global_wm { my ($n) = @_; return sql($n, "select global_watermark from pgq_node.get_node_info('cq')"); }

# --- batches flow ---
produce(10) for 1 .. 5;
is(drain('branch'), 5, 'the branch worker took five batches');
is(drain('leaf'), 5, 'the leaf worker took five batches from the branch');

my $rticks = sql($R, q{select string_agg(tick_id || '@' || tick_time || '#' || tick_event_seq, ' ' order by tick_id) from pgq.tick where tick_id > 1});
my $bticks = sql($B, q{select string_agg(tick_id || '@' || tick_time || '#' || tick_event_seq, ' ' order by tick_id) from pgq.tick where tick_id > 1});
is($bticks, $rticks, 'the branch has the root\'s ticks: same ids, times and event sequences');
is(sql($B, q{select string_agg(ev_id::text, ',' order by ev_id) from pgq.event_template where ev_type = 'row'}),
	sql($R, q{select string_agg(ev_id::text, ',' order by ev_id) from pgq.event_template where ev_type = 'row'}),
	'the branch has the root\'s events with the same ids');
is(sql($L, 'select count(*), count(distinct ev_data) from applied'), '50|50', 'the leaf applied every event once');
is(sql($L, 'select completed_tick from pgq_node.get_worker_state(\'cq\')'),
	sql($R, 'select max(tick_id) from pgq.tick'), 'the leaf is at the root\'s last tick');

# location changes made on the root travel down the queue
sql($R, "select pgq_node.register_location('cq', 'spare', 'dbname=spare', false)");
produce(1);
drain('branch');
drain('leaf');
is(sql($L, "select node_location from pgq_node.get_queue_locations('cq') where node_name = 'spare'"),
	'dbname=spare', 'a location registered on the root reached the leaf');
sql($R, "select pgq_node.unregister_location('cq', 'spare')");

# --- the global watermark waits for the slowest node ---
like(report_watermarks(), qr/^Global watermark set to \d+$/, 'root published');
my $leaf_at = sql($L, q{select completed_tick from pgq_node.get_worker_state('cq')});
is(global_wm($R), $leaf_at, 'global watermark at the common position');

# the leaf stops; the root and the branch go on
produce(10) for 1 .. 4;
drain('branch');
report_watermarks();
is(global_wm($R), $leaf_at, 'the global watermark does not pass the stopped leaf');
cmp_ok(sql($B, q{select completed_tick from pgq_node.get_worker_state('cq')}), '>', $leaf_at,
	'while the branch is ahead');

# the watermark event reaches the branch, which follows it
produce(1);
drain('branch');
is(global_wm($B), $leaf_at, 'the branch applied the root\'s global watermark');

# rotation on the root while the leaf lags: nothing it needs is dropped
for (1 .. 4)
{
	produce(5);
	sql($R, "select pgq.maint_rotate_tables_step1('cq')");
	sql($R, 'select pgq.maint_rotate_tables_step2()');
	drain('branch');
}
cmp_ok(sql($R, q{select queue_switch_step1 from pgq.queue where queue_name = 'cq'}), '>', 0, 'the root rotated');

# the leaf now reads straight from the root, from where it stopped
my $lpos = sql($L, q{select completed_tick from pgq_node.get_worker_state('cq')});
is(sql($R, "select ret_code from pgq_node.register_subscriber('cq', 'leaf', 'w_leaf', $lpos)"), 200,
	'leaf subscribed on the root at its own position');
is(sql($L, q{select ret_code from pgq_node.change_consumer_provider('cq', 'w_leaf', 'root')}), 200,
	'leaf provider changed to the root');
sql($B, q{select pgq_node.unregister_subscriber('cq', 'leaf')});
cmp_ok(drain('leaf'), '>', 0, 'the leaf reads from the root');
is(sql($L, 'select count(*), count(distinct ev_data) from applied'), "$produced|$produced",
	"after rotations on the root the leaf has all $produced events, once each");
is(sql($L, 'select count(*) from applied a where ev_data::int > ' . $produced),
	0, 'and nothing else');

# now every node has passed the newest tick: the watermark moves on
report_watermarks();
my $top = sql($R, 'select max(tick_id) from pgq.tick');
cmp_ok(global_wm($R), '>', $leaf_at, 'with the leaf caught up the global watermark moved');
is(global_wm($R), sql($L, q{select completed_tick from pgq_node.get_worker_state('cq')}),
	'to the slowest node\'s position');

$_->stop for values %node;
done_testing();
