#!/bin/bash
# bench/pgq.sh: PgQ speed, ours against upstream's PgQ 3.5 (Debian's
# postgresql-15-pgq3, in a private tree) on two clusters of the same
# machine, every workload alternating ours / upstream (A B A B ...), medians
# of BENCH_REPS rounds of BENCH_SECS seconds.  Prints one table with the
# ratio ours/upstream (above 1 is better for ours, except latency and
# CPU per call, where lower is better).  Asserts nothing.
#
#   insert_event   events/s, 1 or 100 events per transaction, 1 or 4 clients
#   plain INSERT   rows/s of 100 small rows per transaction (the limit)
#   triggers       rows/s, 100-row INSERT / UPDATE with logutriga, sqltriga,
#                  jsontriga, no trigger
#   consume        events/s drained from a queue of BENCH_EVENTS events by 1
#                  and by 4 consumers: each side's own consumer (our C
#                  library; upstream's python3-pgq), and the C library on
#                  both (the servers' part alone)
#   latency        commit-to-consumer ms at 1000 events/s, p50 and p99:
#                  each side's pgqd and PgQ with default settings, and with
#                  an eager ticker (ticker_period 0.1, ticker_max_lag 0.1 s)
#   ticker         pgq.ticker() calls/s and server CPU per call with 1, 100,
#                  1000 idle queues, and with 100 of them ticking on every
#                  call (ticker_max_lag and ticker_idle_period 0)
#
# BENCH_PARTS (default "insert triggers consume latency ticker") picks the
# parts to run.
# Needs TREE, UPSTREAM (bin dirs) and UPSTREAM_PGQD; scripts/bench.sh sets
# them.  Without upstream only our column is printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
secs=${BENCH_SECS:-4}
reps=${BENCH_REPS:-3}
nevents=${BENCH_EVENTS:-1000000}
lat_secs=${BENCH_LAT_SECS:-12}
parts=" ${BENCH_PARTS:-insert triggers consume latency ticker} "
part() { [[ "$parts" == *" $1 "* ]]; }
cleanup() {
    pkill -INT -f "$BENCH_DIR/pgqd-" 2>/dev/null || true
    stop_clusters
}
trap cleanup EXIT

sides=(ours)
start_cluster ours "$TREE"
if [ -n "${UPSTREAM:-}" ]; then
    start_cluster upstream "$UPSTREAM"
    sides+=(upstream)
fi
port_of() { local v=PORT_$1; echo "${!v}"; }
conn_of() { echo "host=$BENCH_DIR port=$(port_of "$1") user=postgres dbname=postgres"; }
pgqd_of() { [ "$1" = ours ] && echo "$TREE/pgqd" || echo "$UPSTREAM_PGQD"; }

setup=$(cat <<'SQL'
create extension pgq;
select pgq.create_queue('bq');
create table plain (id bigserial primary key, a text);
create table t_none (id bigserial primary key, a text, b int, c timestamptz);
create table t_logu (like t_none including all);
create table t_sql (like t_none including all);
create table t_json (like t_none including all);
create trigger tg after insert or update or delete on t_logu
    for each row execute procedure pgq.logutriga('bq');
create trigger tg after insert or update or delete on t_sql
    for each row execute procedure pgq.sqltriga('bq');
create trigger tg after insert or update or delete on t_json
    for each row execute procedure pgq.jsontriga('bq');
insert into t_none (a, b, c) select 'row ' || g, g, now() from generate_series(1, 100000) g;
insert into t_logu select * from t_none;
insert into t_sql select * from t_none;
insert into t_json select * from t_none;
analyze;
SQL
)
for s in "${sides[@]}"; do bsql "$(port_of "$s")" -c "$setup" >/dev/null; done

w() { printf '%s\n' "$2" >"$BENCH_DIR/$1.sql"; }
w ins1 "select pgq.insert_event('bq', 'ev', 'id=1&name=some+name&total=12.50');"
w ins100 "select pgq.insert_event('bq', 'ev', 'id=' || i || '&name=some+name&total=12.50') from generate_series(1, 100) i;"
w plain100 "insert into plain (a) select 'id=' || i || '&name=some+name&total=12.50' from generate_series(1, 100) i;"
for t in none logu sql json; do
    w "trig_ins_$t" "insert into t_$t (a, b, c) select 'row ' || g, g, now() from generate_series(1, 100) g;"
    w "trig_upd_$t" "\\set s random(1, 99900)
update t_$t set b = b + 1 where id between :s and :s + 99;"
done
w ticker "select pgq.ticker();"

declare -A res        # res[row,side] = median
rows=()               # row keys in print order
declare -A unit label

# run_tps ROW LABEL UNIT SCRIPT CLIENTS MULT [SIDES...]: pgbench rounds, A B A B
run_tps() {
    local row=$1 lab=$2 un=$3 script=$4 clients=$5 mult=$6
    shift 6
    local ss=("$@") s r v
    [ ${#ss[@]} -gt 0 ] || ss=("${sides[@]}")
    declare -A got=()
    for r in $(seq "$reps"); do
        for s in "${ss[@]}"; do
            v=$(tps "$(port_of "$s")" "$BENCH_DIR/$script.sql" "$secs" "$clients")
            [ -z "${BENCH_DEBUG:-}" ] || echo "$row $s $v" >&2
            got[$s]+=" $(awk -v x="$v" -v m="$mult" 'BEGIN {printf "%.0f", x * m}')"
        done
    done
    rows+=("$row"); label[$row]=$lab; unit[$row]=$un
    for s in "${ss[@]}"; do res[$row,$s]=$(median ${got[$s]}); done
    # the queue must not grow without bound between workloads
    for s in "${ss[@]}"; do
        bsql "$(port_of "$s")" -c "select pgq.maint_rotate_tables_step1('bq')" >/dev/null 2>&1 || true
        bsql "$(port_of "$s")" -c "select pgq.maint_rotate_tables_step2()" >/dev/null 2>&1 || true
    done
}

if part insert; then
echo "insert_event ..." >&2
run_tps ins1c1 "insert_event, 1 per tx, 1 client" "events/s" ins1 1 1
run_tps ins1c4 "insert_event, 1 per tx, 4 clients" "events/s" ins1 4 1
run_tps ins100c1 "insert_event, 100 per tx, 1 client" "events/s" ins100 1 100
run_tps ins100c4 "insert_event, 100 per tx, 4 clients" "events/s" ins100 4 100
run_tps plain100c1 "plain INSERT, 100 per tx, 1 client" "rows/s" plain100 1 100 ours
run_tps plain100c4 "plain INSERT, 100 per tx, 4 clients" "rows/s" plain100 4 100 ours
fi

if part triggers; then

echo "triggers ..." >&2
for op in ins upd; do
    for t in none logu sql json; do
        opn=$([ $op = ins ] && echo INSERT || echo UPDATE)
        if [ $t = none ]; then
            run_tps "trig_${op}_$t" "$opn 100 rows, no trigger" "rows/s" "trig_${op}_$t" 1 100 ours
        else
            run_tps "trig_${op}_$t" "$opn 100 rows, ${t}triga" "rows/s" "trig_${op}_$t" 1 100
        fi
    done
done
fi

if part consume; then
echo "consume ..." >&2
for s in "${sides[@]}"; do
    bsql "$(port_of "$s")" >/dev/null <<SQL
select pgq.create_queue('cq');
select pgq.set_queue_config('cq', 'ticker_max_count', '0');
select pgq.set_queue_config('cq', 'ticker_max_lag', '0');
select pgq.register_consumer('cq', 'c' || i) from generate_series(1, 5) i;
create procedure produce(n int, per int) language plpgsql as \$\$
begin
    for b in 0 .. n / per - 1 loop
        perform pgq.insert_event('cq', 'I:id', 'id=' || i || '&name=name+' || i || '&total=12.50')
           from generate_series(b * per + 1, (b + 1) * per) i;
        commit;
        perform pgq.ticker('cq');
        commit;
    end loop;
end \$\$;
call produce($nevents, 10000);
SQL
done
consumer=$here/../examples/simple_consumer
have_py=
have_pypgq && have_py=1
# start_drain SIDE KIND CONSUMER: one consumer draining cq in the background
start_drain() {
    local s=$1 kind=$2 c=$3
    if [ "$kind" = py ]; then
        run_pypgq "$(conn_of "$s")" cq "$c" &
    else
        "$consumer" -1 -q "$(conn_of "$s")" cq "$c" 2>/dev/null &
    fi
}
# drain_rate SIDE KIND CONSUMER...: events/s for them to drain the queue at once
drain_rate() {
    local s=$1 kind=$2 t0 t1 c pids=()
    shift 2
    t0=$(date +%s.%N)
    for c in "$@"; do start_drain "$s" "$kind" "$c"; pids+=($!); done
    wait "${pids[@]}"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v n="$nevents" -v k=$# 'BEGIN {printf "%.0f", k * n / (b - a)}'
}
rewind() {   # every consumer back to the first tick: the same events each round
    bsql "$(port_of "$1")" -c "select pgq.register_consumer_at('cq', 'c' || i,
        (select min(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
          where q.queue_name = 'cq')) from generate_series(1, 5) i" >/dev/null
}
declare -A cons
for r in $(seq "$reps"); do
    for s in "${sides[@]}"; do
        rewind "$s"
        cons[lib1,$s]+=" $(drain_rate "$s" lib c1)"
        cons[lib4,$s]+=" $(drain_rate "$s" lib c2 c3 c4 c5)"
        # each side's own consumer: ours the C library, upstream python3-pgq
        if [ "$s" = upstream ] && [ -n "$have_py" ]; then
            rewind "$s"
            cons[own1,$s]+=" $(drain_rate "$s" py c1)"
            cons[own4,$s]+=" $(drain_rate "$s" py c2 c3 c4 c5)"
        fi
    done
done
rows+=(own1 own4 lib1 lib4)
label[own1]="consume, 1 consumer: own stack *"; unit[own1]="events/s"
label[own4]="consume, 4 consumers: own stack *"; unit[own4]="events/s"
label[lib1]="consume, 1 consumer: C library on both"; unit[lib1]="events/s"
label[lib4]="consume, 4 consumers: C library on both"; unit[lib4]="events/s"
for s in "${sides[@]}"; do
    res[lib1,$s]=$(median ${cons[lib1,$s]})
    res[lib4,$s]=$(median ${cons[lib4,$s]})
done
res[own1,ours]=${res[lib1,ours]}
res[own4,ours]=${res[lib4,ours]}
if [ -n "${cons[own1,upstream]:-}" ]; then
    res[own1,upstream]=$(median ${cons[own1,upstream]})
    res[own4,upstream]=$(median ${cons[own4,upstream]})
fi
fi

if part latency; then
echo "latency ..." >&2
w lat "select pgq.insert_event('lq', 'lat', extract(epoch from clock_timestamp())::text);"
latconsumer=$here/latency_consumer
# latency SIDE MODE: prints "p50 p99" in ms
latency() {
    local s=$1 mode=$2 port ini out h
    port=$(port_of "$s")
    ini=$BENCH_DIR/pgqd-$s-$mode.ini
    bsql "$port" -c "select pgq.drop_queue('lq', true)" >/dev/null 2>&1 || true
    bsql "$port" -c "select pgq.create_queue('lq')" >/dev/null
    {
        echo "[pgqd]"
        echo "base_connstr = host=$BENCH_DIR port=$port user=postgres"
        echo "database_list = postgres"
        echo "syslog = 0"
        echo "logfile = $BENCH_DIR/pgqd-$s-$mode.log"
        if [ "$mode" = eager ]; then echo "ticker_period = 0.1"; fi
    } >"$ini"
    if [ "$mode" = eager ]; then
        bsql "$port" -c "select pgq.set_queue_config('lq', 'ticker_max_lag', '0.1')" >/dev/null
    fi
    "$(pgqd_of "$s")" "$ini" >/dev/null 2>&1 &
    h=$!
    out=$BENCH_DIR/lat-$s-$mode.out
    "$latconsumer" "$(conn_of "$s")" lq lc >"$out" 2>/dev/null &
    local cpid=$!
    sleep 1
    pgbench -n -h "$BENCH_DIR" -p "$port" -U postgres -f "$BENCH_DIR/lat.sql" -R 1000 -T "$lat_secs" \
        -c 2 -j 2 postgres >/dev/null 2>&1
    sleep 4     # the last events reach the consumer
    kill -TERM "$cpid"; wait "$cpid" || true
    kill -INT "$h"; wait "$h" || true
    awk '{print $4, $6}' "$out"
}
declare -A lp50 lp99
for mode in default eager; do
    for r in 1 2; do
        for s in "${sides[@]}"; do
            read -r p50 p99 < <(latency "$s" "$mode")
            lp50[$mode,$s]+=" $p50"; lp99[$mode,$s]+=" $p99"
        done
    done
    rows+=("lat50_$mode" "lat99_$mode")
    label[lat50_$mode]="latency p50 at 1000 ev/s, $mode ticker"; unit[lat50_$mode]="ms"
    label[lat99_$mode]="latency p99 at 1000 ev/s, $mode ticker"; unit[lat99_$mode]="ms"
    for s in "${sides[@]}"; do
        res[lat50_$mode,$s]=$(median ${lp50[$mode,$s]})
        res[lat99_$mode,$s]=$(median ${lp99[$mode,$s]})
    done
done
fi

if part ticker; then
echo "ticker ..." >&2
# run_ticker ROW LABEL: pgq.ticker() calls/s and the server's CPU per call,
# rounds A B A B
run_ticker() {
    local s r v
    declare -A got=() cpu=()
    for r in $(seq "$reps"); do
        for s in "${sides[@]}"; do
            v=$(tps_cpu "$(port_of "$s")" "$BENCH_DIR/$s" "$BENCH_DIR/ticker.sql" "$secs" 1)
            got[$s]+=" $(printf %.0f "${v% *}")"; cpu[$s]+=" ${v#* }"
        done
    done
    rows+=("$1" "$1cpu")
    label[$1]=$2; unit[$1]="calls/s"
    label[$1cpu]="  the same: server CPU per call"; unit[$1cpu]="ms"
    for s in "${sides[@]}"; do
        res[$1,$s]=$(median ${got[$s]})
        res[$1cpu,$s]=$(median ${cpu[$s]})
    done
}
# busy ON|OFF: queues tq1..tq100 tick on every call (or back to defaults)
busy() {
    local lag=0 idle=0 s
    [ "$1" = on ] || { lag='3 seconds'; idle='1 minute'; }
    for s in "${sides[@]}"; do
        bsql "$(port_of "$s")" -c "select pgq.set_queue_config('tq' || i, 'ticker_max_lag', '$lag'),
            pgq.set_queue_config('tq' || i, 'ticker_idle_period', '$idle') from generate_series(1, 100) i" >/dev/null
    done
}
declare -A have
for s in "${sides[@]}"; do
    bsql "$(port_of "$s")" -c "select pgq.drop_queue(queue_name, true) from pgq.queue" >/dev/null
    have[$s]=0
done
for n in 1 100 1000; do
    for s in "${sides[@]}"; do
        while [ "${have[$s]}" -lt "$n" ]; do
            to=$(( have[$s] + 50 < n ? have[$s] + 50 : n ))
            bsql "$(port_of "$s")" -c "select pgq.create_queue('tq' || i) from generate_series($(( have[$s] + 1 )), $to) i" >/dev/null
            have[$s]=$to
        done
        # new queues tick once; then fresh statistics, as autovacuum would take
        bsql "$(port_of "$s")" -c "select pgq.ticker()" -c "analyze pgq.queue, pgq.tick" >/dev/null
    done
    run_ticker "ticker$n" "pgq.ticker(), $n idle queues"
    if [ "$n" -gt 1 ]; then
        # 100 queues that tick on every call (ticker_max_lag and
        # ticker_idle_period 0): 100 ticks per call
        busy on
        run_ticker "ticker${n}busy" "pgq.ticker(), $n queues, 100 tick"
        busy off
    fi
done
fi

echo
echo "PgQ, ours / upstream 3.5, median of $reps rounds (latency: 2), ${secs}s each"
echo "(consume, $nevents events in batches of 10000; * own stack: our C library"
echo " consumer on ours, upstream's Python consumer python3-pgq on upstream)"
printf '%-44s %-9s %11s %11s %8s\n' workload unit ours upstream ratio
for row in "${rows[@]}"; do
    o=${res[$row,ours]:-}
    u=${res[$row,upstream]:-}
    ratio=-
    if [ -n "$o" ] && [ -n "$u" ]; then
        ratio=$(awk -v a="$o" -v b="$u" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')
    fi
    printf '%-44s %-9s %11s %11s %8s\n' "${label[$row]}" "${unit[$row]}" "${o:--}" "${u:--}" "$ratio"
done
