# Both directions of compatibility: our pgqd keeps upstream's PgQ 3.5
# (Debian's postgresql-15-pgq3) ticking, rotating and retrying, and
# upstream's pgqd (Debian's pgqd) does the same for our pgq.  Skipped when
# the packages cannot be fetched.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SkyTools::Upstream;
use SkyTools::Pgqd;
use Test::More;
use SkyTools::Wait;

my ($up_tree, $why) = upstream_tree();
plan skip_all => $why unless $up_tree;
my ($up_pgqd, $why2) = upstream_pgqd();
plan skip_all => $why2 unless $up_pgqd;
local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';

# one pairing: a cluster (with the given install), a daemon binary
sub pairing
{
	my ($label, $install, $daemon) = @_;
	my $node = PostgreSQL::Test::Cluster->new($label, $install ? (install_path => $install) : ());
	$node->init;
	$node->start;
	$node->safe_psql('postgres', q{
create extension pgq;
select pgq.create_queue('q');
select pgq.set_queue_config('q', 'ticker_max_lag', '0.1');
select pgq.set_queue_config('q', 'ticker_idle_period', '0.5');
select pgq.set_queue_config('q', 'rotation_period', '0.5');
select pgq.register_consumer('q', 'c');
create function next_events() returns text language plpgsql as $$
declare b bigint; r text;
begin
    b := pgq.next_batch('q', 'c');
    if b is null then return ''; end if;
    select string_agg(ev_data || coalesce('/r' || ev_retry, ''), ',' order by ev_id)
      into r from pgq.get_batch_events(b);
    perform pgq.event_retry(b, ev_id, 0) from pgq.get_batch_events(b)
     where ev_data = 'again' and ev_retry is null;
    perform pgq.finish_batch(b);
    return coalesce(r, '');
end $$;
});
	my $dir = PostgreSQL::Test::Utils::tempdir;
	my $h = start_pgqd($node, $dir,
		"database_list = postgres\nticker_period = 0.1\nmaint_period = 0.5\nretry_period = 0.5\n",
		binary => $daemon);

	my $cur = $node->safe_psql('postgres', 'select queue_cur_table from pgq.queue');
	$node->safe_psql('postgres',
		q{select pgq.insert_event('q', 'ev', d) from unnest(array['one', 'two', 'again']) d});
	my $seen = '';
	my $rotated = 0;
	my $i = 0;
	wait_until(
		"$label: the retried event and a rotation",
		sub {
			$seen .= ',' . $node->safe_psql('postgres', 'select next_events()');
			$rotated ||= $node->safe_psql('postgres', "select queue_cur_table <> $cur from pgq.queue") eq 't';
			$node->safe_psql('postgres', q{select pgq.insert_event('q', 'ev', 'x')}) if ++$i % 5 == 0;
			$seen =~ m{again/r1} && $rotated;
		});
	like($seen, qr/one,two,again/, "$label: events arrive as a batch");
	like($seen, qr{again/r1}, "$label: the retried event comes back");
	ok($rotated, "$label: event tables rotate");
	stop_pgqd($h);
	$node->stop;
}

pairing('upstream_pgq_our_pgqd', $up_tree, 'pgqd');
pairing('our_pgq_upstream_pgqd', undef, $up_pgqd);
done_testing();
