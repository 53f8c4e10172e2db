#!/bin/bash
# scripts/demo.sh [DIR]: the README's demo.
#
# Builds the project, makes a throwaway PostgreSQL cluster in DIR (default
# /tmp/skytools-demo), creates a queue fed by a row-capture trigger, starts
# pgqd (the ticker daemon) and a consumer built on the C library
# (examples/simple_consumer), produces events and shows the consumer
# decoding them; then replicates a table with Londiste from that database
# to a second one (root and leaf: initial copy, then row changes replayed)
# and shows 'londiste status', saying what happens at each step.  On a fresh
# Debian 12 machine run it as root: it installs what it needs and runs the
# server as an unprivileged user.  The cluster is stopped at the end; with
# KEEP=1 it is left running.
#
# SKYTOOLS_INSTALLED=1: the same steps with what the Debian packages (or
# 'make install') installed: the programs from PATH, the extensions from
# the system's PostgreSQL, and the consumer built from the installed
# example with pkg-config (test/packages.sh runs it so).
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
        SKYTOOLS_INSTALLED="${SKYTOOLS_INSTALLED:-}" bash "$dir/src/scripts/demo.sh" "$dir"
fi
[ -d "$dir/src" ] || { mkdir -p "$dir"; copy_tree "$top" "$dir/src"; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ -n "${SKYTOOLS_INSTALLED:-}" ]; then
    say "using the installed SkyTools: $(command -v pgqd), $(command -v londiste)"
    export PATH=$(pg_config --bindir):$PATH
    example=$(pkg-config --variable=prefix skytools)/share/doc/skytools/examples/simple_consumer.c
    [ -f "$example" ] || example=$dir/src/examples/simple_consumer.c
    cc -o "$dir/simple_consumer" "$example" $(pkg-config --cflags --libs skytools)
    consumer=$dir/simple_consumer
else
    say "building and installing into a private PostgreSQL tree ($dir/tree)"
    make -s -C "$dir/src" all >/dev/null
    tree=$(PG_CONFIG=$(command -v pg_config) "$dir/src/scripts/tmp-install.sh" "$dir/tree")
    export PATH=$tree/bin:$PATH
    consumer=$dir/src/examples/simple_consumer
fi

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
    for w in root leaf; do
        [ -f "$dir/$w.ini" ] && londiste "$dir/$w.ini" -s >/dev/null 2>&1 || true
    done
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

say "Londiste: replicating table 'customers' from database postgres (root) to shop_copy (leaf)"
sql <<'SQL'
create table customers (id int primary key, name text, city text);
insert into customers select i, 'customer ' || i, 'Tallinn' from generate_series(1, 1000) i;
create database shop_copy;
SQL
psql -X -q -h "$dir" -p "$port" -U postgres -d shop_copy -v ON_ERROR_STOP=1 \
    -c "create table customers (id int primary key, name text, city text)"
for w in root leaf; do
    db=postgres
    [ $w = leaf ] && db=shop_copy
    cat >"$dir/$w.ini" <<INI
[londiste]
db = host=$dir port=$port user=postgres dbname=$db
queue_name = shop
logfile = $dir/$w.log
pidfile = $dir/$w.pid
loop_delay = 0.5
INI
done
londiste "$dir/root.ini" create-root rootnode "host=$dir port=$port user=postgres dbname=postgres" 2>&1 | sed 's/^/   /'
londiste "$dir/leaf.ini" create-leaf leafnode "host=$dir port=$port user=postgres dbname=shop_copy" \
    --provider="host=$dir port=$port user=postgres dbname=postgres" 2>&1 | sed 's/^/   /'
londiste "$dir/root.ini" worker -d
londiste "$dir/leaf.ini" worker -d
londiste "$dir/root.ini" add-table customers 2>&1 | sed 's/^/   /'
say "add-table on the leaf: its worker starts a copy process (COPY, catch-up, handover)"
londiste "$dir/leaf.ini" add-table customers 2>&1 | sed 's/^/   /'
londiste "$dir/leaf.ini" wait-sync 2>&1 | tail -1 | sed 's/^/   /'
londiste "$dir/leaf.ini" tables | sed 's/^/   /'

say "rows changed on the root appear on the leaf"
sql <<'SQL'
update customers set city = 'Tartu' where id <= 3;
delete from customers where id = 1000;
insert into customers values (1001, 'new customer', 'Pärnu');
SQL
lsql() { psql -X -q -h "$dir" -p "$port" -U postgres -d shop_copy "$@"; }
for i in $(seq 200); do
    [ "$(lsql -At -c "select count(*) from customers where city <> 'Tallinn'")" = 4 ] && break
    sleep 0.1
done
lsql -c "select * from customers where city <> 'Tallinn' order by id"

say "londiste status"
londiste "$dir/leaf.ini" status | sed 's/^/   /'

if [ -n "${KEEP:-}" ]; then
    say "pgqd and the cluster keep running: psql -h $dir -p $port -U postgres"
    echo "   stop them with: londiste $dir/leaf.ini -s; londiste $dir/root.ini -s;"
    echo "   pgqd -s $dir/pgqd.ini; pg_ctl -D $dir/data stop"
else
    say "done; the workers, pgqd and the cluster are stopped (KEEP=1 leaves them running)"
fi
