#!/bin/bash
# bench/pgqd.sh: pgqd's CPU use and tick latency with 1, 100 and 1000
# queues, ours and upstream's pgqd (Debian's package) on the same cluster
# (our pgq), one after the other.  CPU: user+system seconds pgqd used in
# BENCH_SECS seconds.  Latency: from committing an event to the tick that
# closes it, with ticker_max_count = 1 (median of 20, milliseconds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
secs=${BENCH_SECS:-10}
trap 'pkill -INT -f "$BENCH_DIR/pgqd.ini" 2>/dev/null || true; stop_clusters' EXIT

start_cluster b "$TREE"
port=$PORT_b
daemons=(ours)
up_bin=${UPSTREAM:+$UPSTREAM/../../../../bin/pgqd}
[ -n "${UPSTREAM:-}" ] && [ -x "$up_bin" ] && daemons+=(upstream)

cat >"$BENCH_DIR/pgqd.ini" <<INI
[pgqd]
base_connstr = host=$BENCH_DIR port=$port user=postgres
database_list = postgres
syslog = 0
logfile = $BENCH_DIR/pgqd.log
INI

cpu_secs() {   # utime+stime of a pid, in seconds
    awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

bsql "$port" -c "create extension pgq" >/dev/null
have=0
printf '%-8s %-9s %12s %14s\n' queues pgqd "cpu s/${secs}s" "latency ms"
for n in 1 100 1000; do
    while [ "$have" -lt "$n" ]; do       # 50 a transaction: each takes 8 locks
        to=$(( have + 50 < n ? have + 50 : n ))
        bsql "$port" -c "select pgq.create_queue('q' || i) from generate_series($((have + 1)), $to) i" >/dev/null
        have=$to
    done
    bsql "$port" -c "update pgq.queue set queue_ticker_max_count = 1" >/dev/null
    for d in "${daemons[@]}"; do
        bin=$([ "$d" = ours ] && command -v pgqd || echo "$up_bin")
        "$bin" "$BENCH_DIR/pgqd.ini" >/dev/null 2>&1 &
        pid=$!
        sleep 1
        lat=()
        for i in $(seq 20); do
            t=$(bsql "$port" -At -c "select max(tick_id) from pgq.tick where tick_queue = (select queue_id from pgq.queue where queue_name = 'q1')")
            s0=$(date +%s%N)
            bsql "$port" -c "select pgq.insert_event('q1', 'e', 'x')" >/dev/null
            while [ "$(bsql "$port" -At -c "select max(tick_id) > $t from pgq.tick where tick_queue = (select queue_id from pgq.queue where queue_name = 'q1')")" != t ]; do
                sleep 0.01
            done
            lat+=($(( ($(date +%s%N) - s0) / 1000000 )))
        done
        c0=$(cpu_secs $pid)
        sleep "$secs"
        c1=$(cpu_secs $pid)
        kill -INT $pid; wait $pid 2>/dev/null || true
        printf '%-8s %-9s %12.3f %14s\n' "$n" "$d" "$(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')" "$(median "${lat[@]}")"
    done
done
