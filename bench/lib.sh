# bench/lib.sh: helpers for the benchmark scripts (sourced).
#
# start_cluster NAME BINDIR: a throwaway cluster in $BENCH_DIR/NAME on a
# free loopback port, socket in $BENCH_DIR; sets PORT_<NAME>.  Settings
# suit a 2-core machine and a benchmark, not durability (fsync off).
# stop_clusters: stops every cluster started.

BENCH_DIR=${BENCH_DIR:-$(mktemp -d /tmp/skytools-bench.XXXXXX)}
started=()

free_port() {
    local p=$1
    while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

start_cluster() {
    local name=$1 bindir=$2 port
    port=$(free_port $((55400 + ${#started[@]} * 10)))
    "$bindir/initdb" -D "$BENCH_DIR/$name" -A trust -U postgres >/dev/null
    cat >>"$BENCH_DIR/$name/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$BENCH_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_wal_size = 4GB
autovacuum = off
CONF
    "$bindir/pg_ctl" -D "$BENCH_DIR/$name" -l "$BENCH_DIR/$name.log" -w start >/dev/null
    started+=("$bindir/pg_ctl -D $BENCH_DIR/$name")
    eval "PORT_$name=$port"
}

stop_clusters() {
    local c
    for c in "${started[@]}"; do $c -m fast stop >/dev/null 2>&1 || true; done
}

# bsql PORT SQL...: run SQL quietly
bsql() {
    local port=$1
    shift
    psql -X -q -h "$BENCH_DIR" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

# tps PORT SCRIPT SECS CLIENTS: pgbench throughput (transactions/s)
tps() {
    pgbench -n -h "$BENCH_DIR" -p "$1" -U postgres -f "$2" -T "$3" -c "$4" -j "$4" postgres 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

# tps_cpu PORT DATADIR SCRIPT SECS CLIENTS: "tps cpu" where cpu is the
# server's CPU milliseconds per transaction: what the backends used (the
# postmaster's reaped children's user + system time, read when no client
# backend is left, before and after pgbench).
tps_cpu() {
    local pm c0 c1 out tx t
    pm=$(head -1 "$2/postmaster.pid")
    no_backends() { while pgrep -P "$pm" -f '^postgres: postgres ' >/dev/null; do sleep 0.05; done; }
    no_backends
    c0=$(awk '{print $16 + $17}' "/proc/$pm/stat")
    out=$(pgbench -n -h "$BENCH_DIR" -p "$1" -U postgres -f "$3" -T "$4" -c "$5" -j "$5" postgres 2>&1)
    no_backends
    c1=$(awk '{print $16 + $17}' "/proc/$pm/stat")
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    t=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    awk -v t="$t" -v c=$((c1 - c0)) -v n="$tx" -v hz="$(getconf CLK_TCK)" \
        'BEGIN {printf "%s %.3f\n", t, (n > 0 ? c * 1000 / hz / n : 0)}'
}

# median of the arguments
median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

# have_pypgq: whether upstream's Python consumer can run (PYPGQ set by
# scripts/bench.sh to the unpacked python3-pgq, psycopg2 from Debian).
have_pypgq() {
    [ -n "${PYPGQ:-}" ] && PYTHONPATH=$PYPGQ /usr/bin/python3 -c 'import pgq, psycopg2' 2>/dev/null
}

# run_pypgq CONNSTR QUEUE CONSUMER: drain QUEUE as CONSUMER with upstream's
# Python consumer (bench/pgq_py_consumer.py) and return when it is empty.
run_pypgq() {
    local ini=$BENCH_DIR/py-$3-$$-$RANDOM.ini
    cat >"$ini" <<INI
[bench_consumer]
job_name = $3
db = $1
queue_name = $2
consumer_name = $3
logfile = $BENCH_DIR/py.log
use_skylog = 0
INI
    PYTHONPATH=$PYPGQ /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/pgq_py_consumer.py" "$ini" >/dev/null 2>&1
}
