#!/bin/bash
# scripts/demo.sh [DIR]: the README's demo.
#
# Builds the project, makes a throwaway PostgreSQL cluster in DIR (default
# /tmp/skytools-demo), creates a queue fed by a row-capture trigger, starts
# pgqd (the ticker daemon) and a consumer built on the C library
# (examples/simple_consumer), produces events and shows the consumer
# decoding them, saying what happens at each step.  On a fresh
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
cat >"$dir/pgqd.ini" <<INI
[pgqd]
base_connstr = host=$dir port=$port user=postgres
initial_database = postgres
logfile = $dir/pgqd.log
pidfile = $dir/pgqd.pid
syslog = 0
INI
stop_all() {
    [ -n "${KEEP:-}" ] && return
    pgqd -s "$dir/pgqd.ini" >/dev/null 2>&1 || true
    pg_ctl -D "$dir/data" -m fast stop >/dev/null
}
trap stop_all EXIT

sql() { psql -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

say "CREATE EXTENSION pgq, a queue 'orders', and a table whose row changes go to it"
sql <<'SQL'
create extension pgq;
select pgq.create_queue('orders') as queue_created;
create table orders (id int primary key, customer text, total numeric);
-- pgq.logutriga turns each row change into an event (urlencoded row)
create trigger orders_to_queue after insert or update or delete on orders
    for each row execute procedure pgq.logutriga('orders');
SQL

say "starting pgqd, the ticker daemon, in the background (log: $dir/pgqd.log)"
pgqd -d "$dir/pgqd.ini"
echo "   it ticks every database with pgq: a tick closes a batch, and events"
echo "   become readable only after one (here within a tenth of a second:"
echo "   pgqd ticks queues with new events quickly, ticker_busy_period)"

consumer=$dir/src/examples/simple_consumer
conn="host=$dir port=$port user=postgres dbname=postgres"
say "starting a consumer 'mailer' written on the C library (examples/simple_consumer.c)"
"$consumer" -l 5 "$conn" orders mailer >"$dir/consumer.out" 2>"$dir/consumer.err" &
consumer_pid=$!
for i in $(seq 100); do
    [ "$(sql -At -c "select count(*) from pgq.get_consumer_info('orders')")" = 1 ] && break
    sleep 0.1
done
echo "   it registered, and waits for ticks (LISTEN pgq_tick) instead of polling"

say "a producer: row changes on 'orders' and one plain event, in one transaction"
sql <<'SQL'
begin;
insert into orders values (1, 'Ann', 9.90), (2, 'Bob & Co', 25.00);
update orders set total = 19.90 where id = 1;
select pgq.insert_event('orders', 'order.note', 'Bob asked for gift wrap') as event_id;
commit;
SQL

say "the consumer gets the batch after pgqd's next tick"
for i in $(seq 100); do
    [ "$(grep -c '^event' "$dir/consumer.out")" -ge 4 ] && break
    sleep 0.1
done
[ "$(grep -c '^event' "$dir/consumer.out")" -ge 4 ] \
    || { echo "no batch after 10 s: see $dir/pgqd.log" >&2; exit 1; }
sed 's/^/   /' "$dir/consumer.out"
kill -TERM "$consumer_pid"
wait "$consumer_pid" || true
echo "   stopped with SIGTERM between batches: $(tail -1 "$dir/consumer.err")"

say "status: the queue and its consumer"
sql -c "select queue_name, ev_new, last_tick_id, ticker_lag from pgq.get_queue_info()" \
    -c "select queue_name, consumer_name, lag, last_seen, pending_events from pgq.get_consumer_info()"

say "what pgqd logged"
grep -v DEBUG "$dir/pgqd.log" | tail -5 | sed 's/^/   /'

if [ -n "${KEEP:-}" ]; then
    say "pgqd and the cluster keep running: psql -h $dir -p $port -U postgres"
    echo "   stop them with: pgqd -s $dir/pgqd.ini; pg_ctl -D $dir/data stop"
else
    say "done; pgqd and the cluster are stopped (KEEP=1 leaves them running)"
fi
