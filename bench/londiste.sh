#!/bin/bash
# bench/londiste.sh: Londiste's speed, on this machine, in one run.
#
#   apply    a stream of N row changes (60% inserts, 25% updates, 15%
#            deletes, 1000 per transaction) made on the root while the
#            subscriber's worker is stopped, then applied by it: ours, the
#            Python Londiste of Debian's python3-londiste (when it can be
#            had), and PostgreSQL's built-in logical replication
#            (publication + subscription, enabled after the stream)
#   capture  the root's write rate with Londiste's trigger on the table
#            against none (pgbench, 100-row INSERT transactions)
#   copy     the initial copy of an N-row table (add-table on a leaf until
#            ok) against a plain COPY TO | COPY FROM pipe; then `compare`
#            of the two equal tables against reading both once
#
# Every figure is the median of BENCH_RUNS runs (default 1).  N:
# BENCH_ROWS (default 1000000).  BENCH_PARTS picks parts (default
# "apply capture copy").  Prints a table; fsync is off on the
# throwaway clusters (bench/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
trap 'stop_workers; stop_clusters' EXIT

N=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-1}
PARTS=" ${BENCH_PARTS:-apply capture copy} "
part() { [[ $PARTS == *" $1 "* ]]; }
TREE=${TREE:-$(dirname "$(command -v postgres)")}
workers=()
stop_workers() {
    local w
    for w in "${workers[@]+"${workers[@]}"}"; do kill "$w" 2>/dev/null || true; done
    pkill -f "$BENCH_DIR/.*pgqd.ini" 2>/dev/null || true
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }

start_cluster root "$TREE"
start_cluster leaf "$TREE"
cat >>"$BENCH_DIR/root/postgresql.conf" <<CONF
wal_level = logical
CONF
"$TREE/pg_ctl" -D "$BENCH_DIR/root" -l "$BENCH_DIR/root.log" -w restart >/dev/null
conn() { echo "host=$BENCH_DIR port=$1 user=postgres dbname=${2:-postgres}"; }

# the stream: $1 database on the root cluster; table t
make_stream() {
    local db=$1 ins=$((N * 60 / 100)) upd=$((N * 25 / 100)) del=$((N * 15 / 100))
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$db" -v ON_ERROR_STOP=1 <<SQL >/dev/null
do \$\$
declare i int;
begin
    for i in 0 .. $ins / 1000 - 1 loop
        insert into t select g, md5(g::text), g from generate_series(i * 1000 + 1, i * 1000 + 1000) g;
        commit;
    end loop;
    for i in 0 .. $upd / 1000 - 1 loop
        update t set n = n + 1, v = 'u' || n where id between i * 1000 + 1 and i * 1000 + 1000;
        commit;
    end loop;
    for i in 0 .. $del / 1000 - 1 loop
        delete from t where id between $ins - (i + 1) * 1000 + 1 and $ins - i * 1000;
        commit;
    end loop;
end \$\$;
SQL
}

ini() {
    local name=$1 db=$2 port=$3
    cat >"$BENCH_DIR/$name.ini" <<INI
[londiste]
job_name = $name
db = $(conn "$port" "$db")
queue_name = bq
logfile = $BENCH_DIR/$name.log
pidfile = $BENCH_DIR/$name.pid
loop_delay = 0.1
INI
}

cat >"$BENCH_DIR/pgqd.ini" <<INI
[pgqd]
base_connstr = host=$BENCH_DIR port=$PORT_root user=postgres
logfile = $BENCH_DIR/pgqd.log
pidfile = $BENCH_DIR/pgqd.pid
syslog = 0
ticker_period = 0.1
check_period = 1
INI
"$TREE/pgqd" -d "$BENCH_DIR/pgqd.ini"

# one apply run: fresh databases, the stream made with the worker stopped,
# then the worker (ours or Python) until the leaf has the root's last tick
apply_run() {
    local impl=$1 k=$2 rdb=r$2_$1 ldb=l$2_$1 t0 t1
    bsql "$PORT_root" -c "create database $rdb"
    bsql "$PORT_leaf" -c "create database $ldb"
    for p in "$PORT_root:$rdb" "$PORT_leaf:$ldb"; do
        psql -X -q -h "$BENCH_DIR" -p "${p%%:*}" -U postgres -d "${p#*:}" \
            -c "create table t (id int primary key, v text, n int)"
    done
    ini "root$k$impl" "$rdb" "$PORT_root"
    ini "leaf$k$impl" "$ldb" "$PORT_leaf"
    londiste "$BENCH_DIR/root$k$impl.ini" create-root r "$(conn "$PORT_root" "$rdb")" >/dev/null 2>&1
    londiste "$BENCH_DIR/leaf$k$impl.ini" create-leaf l "$(conn "$PORT_leaf" "$ldb")" \
        --provider="$(conn "$PORT_root" "$rdb")" >/dev/null 2>&1
    londiste "$BENCH_DIR/root$k$impl.ini" add-table t >/dev/null 2>&1
    londiste "$BENCH_DIR/leaf$k$impl.ini" add-table t --expect-sync >/dev/null 2>&1
    make_stream "$rdb"
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" -c "select pgq.force_tick('bq')" >/dev/null
    local top
    while :; do
        top=$(psql -X -At -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" \
            -c "select last_tick_id from pgq.get_queue_info('bq') where ev_new = 0")
        [ -n "$top" ] && break
        sleep 0.2
    done
    t0=$(now)
    if [ "$impl" = ours ]; then
        londiste "$BENCH_DIR/leaf$k$impl.ini" worker -d
    else
        sed -i 's/^\[londiste\]/[londiste]\nuse_skylog = 0/' "$BENCH_DIR/leaf$k$impl.ini"
        PYTHONPATH=$PYPGQ /usr/bin/python3 "$PYLONDISTE" "$BENCH_DIR/leaf$k$impl.ini" worker -d >/dev/null 2>&1
    fi
    while [ "$(psql -X -At -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" \
        -c "select completed_tick >= $top from pgq_node.get_worker_state('bq')")" != t ]; do
        sleep 0.1
    done
    t1=$(now)
    if [ "$impl" = ours ]; then
        londiste "$BENCH_DIR/leaf$k$impl.ini" -k >/dev/null 2>&1 || true
    else
        PYTHONPATH=$PYPGQ /usr/bin/python3 "$PYLONDISTE" "$BENCH_DIR/leaf$k$impl.ini" -k >/dev/null 2>&1 || true
    fi
    local a b
    a=$(psql -X -At -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" -c "select count(*) || md5(string_agg(id || v || n, ',' order by id)) from t")
    b=$(psql -X -At -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "select count(*) || md5(string_agg(id || v || n, ',' order by id)) from t")
    [ "$a" = "$b" ] || echo "   ($impl run $k: the leaf differs from the root!)" >&2
    elapsed "$t0" "$t1"
}

logical_run() {
    local k=$1 rdb=rl$1 ldb=ll$1 t0 t1
    bsql "$PORT_root" -c "create database $rdb"
    bsql "$PORT_leaf" -c "create database $ldb"
    for p in "$PORT_root:$rdb" "$PORT_leaf:$ldb"; do
        psql -X -q -h "$BENCH_DIR" -p "${p%%:*}" -U postgres -d "${p#*:}" \
            -c "create table t (id int primary key, v text, n int)"
    done
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" -c "create publication p for table t"
    psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" \
        -c "create subscription s connection '$(conn "$PORT_root" "$rdb")' publication p with (copy_data = false, enabled = false)"
    make_stream "$rdb"
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" -c "insert into t values (-1, 'end', 0)"
    t0=$(now)
    psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "alter subscription s enable"
    while [ "$(psql -X -At -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "select count(*) from t where id = -1")" != 1 ]; do
        sleep 0.1
    done
    t1=$(now)
    psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "drop subscription s"
    elapsed "$t0" "$t1"
}

PYLONDISTE=
if [ -n "${PYPGQ:-}" ] && [ -f "$PYPGQ/../../../bin/londiste" ] \
        && PYTHONPATH=$PYPGQ /usr/bin/python3 -c 'import londiste, pgq, skytools, psycopg2' 2>/dev/null; then
    PYLONDISTE=$(cd "$PYPGQ/../../../bin" && pwd)/londiste
fi

ours=() py=() logical=()
part apply && for k in $(seq "$RUNS"); do
    ours+=("$(apply_run ours "$k")")
    [ -n "$PYLONDISTE" ] && py+=("$(apply_run py "$k")")
    logical+=("$(logical_run "$k")")
done

# capture: the root's write rate with and without the trigger
cap_none=() cap_trig=()
if part capture; then
bsql "$PORT_root" -c "create database cap"
psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d cap -c "create table t (id bigserial primary key, v text, n int)"
cat >"$BENCH_DIR/ins.sql" <<'SQL'
insert into t (v, n) select md5(g::text), g from generate_series(1, 100) g;
SQL
for k in $(seq "$RUNS"); do
    cap_none+=("$(pgbench -n -h "$BENCH_DIR" -p "$PORT_root" -U postgres -f "$BENCH_DIR/ins.sql" -T 10 cap 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')")
done
ini capr cap "$PORT_root"
sed -i 's/queue_name = bq/queue_name = capq/' "$BENCH_DIR/capr.ini"
londiste "$BENCH_DIR/capr.ini" create-root c "$(conn "$PORT_root" cap)" >/dev/null 2>&1
londiste "$BENCH_DIR/capr.ini" add-table t >/dev/null 2>&1
for k in $(seq "$RUNS"); do
    cap_trig+=("$(pgbench -n -h "$BENCH_DIR" -p "$PORT_root" -U postgres -f "$BENCH_DIR/ins.sql" -T 10 cap 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')")
done
fi

# copy: add-table on a leaf against a COPY pipe
copy_ours=() copy_pipe=() cmp_ours=() cmp_read=() cmp_diff=()
part copy && for k in $(seq "$RUNS"); do
    rdb=rc$k ldb=lc$k
    bsql "$PORT_root" -c "create database $rdb"
    bsql "$PORT_leaf" -c "create database $ldb"
    for p in "$PORT_root:$rdb" "$PORT_leaf:$ldb"; do
        psql -X -q -h "$BENCH_DIR" -p "${p%%:*}" -U postgres -d "${p#*:}" \
            -c "create table big (id int primary key, v text, n int); create index on big (n)"
    done
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" \
        -c "insert into big select g, md5(g::text), g % 1000 from generate_series(1, $N) g"
    ini "rootc$k" "$rdb" "$PORT_root"
    ini "leafc$k" "$ldb" "$PORT_leaf"
    sed -i 's/queue_name = bq/queue_name = cq/' "$BENCH_DIR/rootc$k.ini" "$BENCH_DIR/leafc$k.ini"
    londiste "$BENCH_DIR/rootc$k.ini" create-root r "$(conn "$PORT_root" "$rdb")" >/dev/null 2>&1
    londiste "$BENCH_DIR/leafc$k.ini" create-leaf l "$(conn "$PORT_leaf" "$ldb")" --provider="$(conn "$PORT_root" "$rdb")" >/dev/null 2>&1
    londiste "$BENCH_DIR/rootc$k.ini" add-table big >/dev/null 2>&1
    londiste "$BENCH_DIR/leafc$k.ini" worker -d
    t0=$(now)
    londiste "$BENCH_DIR/leafc$k.ini" add-table big >/dev/null 2>&1
    while [ "$(psql -X -At -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" \
        -c "select merge_state from londiste.get_table_list('cq') where table_name = 'public.big'")" != ok ]; do
        sleep 0.05
    done
    t1=$(now)
    copy_ours+=("$(elapsed "$t0" "$t1")")
    # compare of the two equal tables against reading both once
    t0=$(now)
    londiste "$BENCH_DIR/leafc$k.ini" compare big >/dev/null 2>&1 || echo "   (compare run $k: the tables differ!)" >&2
    t1=$(now)
    cmp_ours+=("$(elapsed "$t0" "$t1")")
    t0=$(now)
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" -c "copy big to stdout" >/dev/null
    psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "copy big to stdout" >/dev/null
    t1=$(now)
    cmp_read+=("$(elapsed "$t0" "$t1")")
    # three rows made to differ: the sums, then the chunks narrowed down
    psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "set session_replication_role = replica;
        delete from big where id = 17; update big set v = 'x' where id = $((N / 2)); insert into big values ($((N + 5)), 'extra', 0)"
    t0=$(now)
    londiste "$BENCH_DIR/leafc$k.ini" compare big >/dev/null 2>&1 && echo "   (compare run $k: the differences were not found!)" >&2
    t1=$(now)
    cmp_diff+=("$(elapsed "$t0" "$t1")")
    londiste "$BENCH_DIR/leafc$k.ini" -k >/dev/null 2>&1 || true
    psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" \
        -c "create table big2 (id int primary key, v text, n int); create index on big2 (n)"
    t0=$(now)
    psql -X -q -h "$BENCH_DIR" -p "$PORT_root" -U postgres -d "$rdb" -c "copy big to stdout" \
        | psql -X -q -h "$BENCH_DIR" -p "$PORT_leaf" -U postgres -d "$ldb" -c "copy big2 from stdin"
    t1=$(now)
    copy_pipe+=("$(elapsed "$t0" "$t1")")
done

printf '\n%-52s %12s %12s\n' "workload ($N row changes / rows, $RUNS run(s))" "seconds" "rows/s"
if part apply; then
    mo=$(median "${ours[@]}")
    ml=$(median "${logical[@]}")
    printf '%-52s %12s %12s\n' "apply: ours (C worker)" "$mo" "$(rate "$N" "$mo")"
    if [ -n "$PYLONDISTE" ]; then
        mp=$(median "${py[@]}")
        printf '%-52s %12s %12s\n' "apply: Python Londiste (python3-londiste)" "$mp" "$(rate "$N" "$mp")"
    else
        echo "apply: Python Londiste: not available (python3-londiste could not be had)"
    fi
    printf '%-52s %12s %12s\n' "apply: built-in logical replication" "$ml" "$(rate "$N" "$ml")"
fi
if part copy; then
    mc=$(median "${copy_ours[@]}")
    mpipe=$(median "${copy_pipe[@]}")
    printf '%-52s %12s %12s\n' "copy: ours (add-table until ok)" "$mc" "$(rate "$N" "$mc")"
    printf '%-52s %12s %12s\n' "copy: COPY TO | COPY FROM pipe" "$mpipe" "$(rate "$N" "$mpipe")"
    mcmp=$(median "${cmp_ours[@]}")
    mread=$(median "${cmp_read[@]}")
    printf '%-52s %12s %12s\n' "compare: two equal tables (londiste compare)" "$mcmp" "$(rate "$N" "$mcmp")"
    printf '%-52s %12s %12s\n' "compare: reading both tables once (COPY TO)" "$mread" "$(rate "$N" "$mread")"
    mdiff=$(median "${cmp_diff[@]}")
    printf '%-52s %12s %12s\n' "compare: three rows differ (named, by chunks)" "$mdiff" "$(rate "$N" "$mdiff")"
fi
if part capture; then
    printf '\n%-52s %12s\n' "capture (100-row INSERT transactions)" "tps"
    printf '%-52s %12s\n' "no trigger" "$(median "${cap_none[@]}")"
    printf '%-52s %12s\n' "Londiste's trigger (pgq.logutriga)" "$(median "${cap_trig[@]}")"
fi
echo
if part apply; then
    awk -v o="$mo" -v l="$ml" 'BEGIN { printf "apply ours vs logical replication: %.2fx the speed\n", l / o }'
    [ -n "$PYLONDISTE" ] && awk -v o="$mo" -v p="$mp" 'BEGIN { printf "apply ours vs Python Londiste: %.2fx the speed\n", p / o }'
fi
part copy && awk -v c="$mc" -v p="$mpipe" 'BEGIN { printf "copy ours / plain pipe: %.2fx the time\n", c / p }'
part copy && awk -v c="$mcmp" -v r="$mread" 'BEGIN { printf "compare / reading both tables: %.2fx the time\n", c / r }'
exit 0
