#!/bin/bash
# scripts/demo.sh [DIR]: the README's demo.
#
# Builds the project, makes a throwaway PostgreSQL cluster in DIR (default
# /tmp/skytools-demo), creates a queue, produces events, ticks, and lets a
# consumer read a batch, saying what happens at each step.  On a fresh
# Debian 12 machine run it as root: it installs what it needs and runs the
# server as an unprivileged user.  The cluster is stopped at the end; with
# KEEP=1 it is left running.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"
dir=${1:-/tmp/skytools-demo}
demo_user=${SKYTOOLS_DEMO_USER:-skytest}

ensure_packages
if [ "$(id -u)" -eq 0 ] && [ -z "${SKYTOOLS_DEMO_INNER:-}" ]; then
    ensure_user "$demo_user"
    rm -rf "$dir"
    copy_tree "$top" "$dir/src"
    chown -R "$demo_user" "$dir"
    exec runuser -u "$demo_user" -- env SKYTOOLS_DEMO_INNER=1 KEEP="${KEEP:-}" \
        bash "$dir/src/scripts/demo.sh" "$dir"
fi
[ -d "$dir/src" ] || { mkdir -p "$dir"; copy_tree "$top" "$dir/src"; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "building and installing into a private PostgreSQL tree ($dir/tree)"
make -s -C "$dir/src" all >/dev/null
tree=$(PG_CONFIG=$(command -v pg_config) "$dir/src/scripts/tmp-install.sh" "$dir/tree")
export PATH=$tree/bin:$PATH

port=54330
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
say "starting a throwaway cluster in $dir/data (port $port, socket in $dir)"
rm -rf "$dir/data"
initdb -D "$dir/data" -A trust -U postgres >/dev/null
pg_ctl -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
trap '[ -n "${KEEP:-}" ] || pg_ctl -D "$dir/data" -m fast stop >/dev/null' EXIT

sql() { psql -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

say "CREATE EXTENSION pgq, then a queue named 'orders' and a consumer 'mailer'"
sql -c "create extension pgq" \
    -c "select pgq.create_queue('orders') as queue_created" \
    -c "select pgq.register_consumer('orders', 'mailer') as consumer_registered"

say "a producer inserts three events in one transaction"
sql <<'SQL'
begin;
select pgq.insert_event('orders', 'order.created', 'id=1&total=9.90') as event_id;
select pgq.insert_event('orders', 'order.created', 'id=2&total=25.00') as event_id;
select pgq.insert_event('orders', 'order.paid', 'id=1') as event_id;
commit;
SQL

say "a tick closes a batch: events become readable only after one"
echo "   (pgqd will tick every second; here force_tick asks for a tick now"
echo "   and pgq.ticker() makes it)"
sql -c "select pgq.force_tick('orders') is not null as tick_requested" \
    -c "select pgq.ticker() as queues_ticked"

say "the consumer takes the next batch, reads it and finishes it"
sql <<'SQL'
select pgq.next_batch('orders', 'mailer') as batch_id \gset
select ev_id, ev_type, ev_data from pgq.get_batch_events(:batch_id);
select pgq.finish_batch(:batch_id) as finished;
SQL

say "nothing new has happened, so there is no batch now"
sql -c "select coalesce(pgq.next_batch('orders', 'mailer')::text, 'none') as next_batch"

say "status: the queue and its consumer"
sql -c "select queue_name, ev_new, last_tick_id, ticker_lag from pgq.get_queue_info()" \
    -c "select queue_name, consumer_name, lag, last_seen, pending_events from pgq.get_consumer_info()"

if [ -n "${KEEP:-}" ]; then
    say "the cluster keeps running: psql -h $dir -p $port -U postgres"
else
    say "done; the cluster is stopped (KEEP=1 leaves it running)"
fi
