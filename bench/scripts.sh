#!/bin/bash
# bench/scripts.sh: the scripts' throughput on two clusters of this
# machine.
#   queue_mover: BENCH_EVENTS events (100-byte data, 1000 per batch) moved
#     from a queue of one cluster into a queue of the other, exactly once
#     through pgq_ext (events/s).
#   queue_splitter: the same events split between two target queues.
#   data_maintainer: BENCH_ROWS rows updated through sql_modify, a
#     statement per row (autocommit, upstream's default; and a transaction
#     per fetch of 1000), against sql_modify_batch, one statement per fetch
#     (rows/s).
# Upstream's scripts (skytools3) are not packaged in Debian 12: no
# side-by-side figures.  Every figure is the median of BENCH_ROUNDS rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
nev=${BENCH_EVENTS:-100000}
nrows=${BENCH_ROWS:-100000}
rounds=${BENCH_ROUNDS:-3}
trap 'stop_clusters' EXIT

start_cluster src "$TREE"
start_cluster dst "$TREE"
sdb="host=$BENCH_DIR port=$PORT_src user=postgres dbname=postgres"
ddb="host=$BENCH_DIR port=$PORT_dst user=postgres dbname=postgres"
bsql "$PORT_src" -c "create extension pgq" \
    -c "select pgq.create_queue('q')" \
    -c "select pgq.set_queue_config('q', 'ticker_max_count', '0')" \
    -c "select pgq.set_queue_config('q', 'ticker_max_lag', '0')" >/dev/null
bsql "$PORT_dst" -c "create extension pgq" -c "create extension pgq_ext" \
    -c "select pgq.create_queue(n) from unnest('{moved,qa,qb}'::text[]) n" >/dev/null

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN {printf "%.0f", n / (b - a)}'; }

# load: nev events in batches of 1000 for the consumer $1
load() {
    bsql "$PORT_src" -c "do \$\$ begin
        for b in 0 .. $nev / 1000 - 1 loop
            perform pgq.insert_event('q', 'ev', rpad(i::text, 100, 'x'),
                case when i % 2 = 0 then 'qa' else 'qb' end, null, null, null)
               from generate_series(b * 1000 + 1, b * 1000 + 1000) i;
            commit;
            perform pgq.ticker('q');
            commit;
        end loop; end \$\$" >/dev/null
}

# move PROG SECTION NAME: register, load, drain once; prints events/s
move() {
    local prog=$1 section=$2 name=$3 t0 t1
    cat >"$BENCH_DIR/$name.ini" <<INI
[$section]
src_db = $sdb
dst_db = $ddb
queue_name = q
dst_queue_name = moved
consumer_name = $name
loop_delay = 0
INI
    [ "$prog" = queue_splitter ] && sed -i '/dst_queue_name/d' "$BENCH_DIR/$name.ini"
    "$prog" -q "$BENCH_DIR/$name.ini" --register
    load
    t0=$(now)
    "$prog" -q "$BENCH_DIR/$name.ini"
    t1=$(now)
    rate "$nev" "$t0" "$t1"
}

declare -A res
for r in $(seq 1 "$rounds"); do
    res[mover]+=" $(move queue_mover queue_mover3 mover$r)"
    res[splitter]+=" $(move queue_splitter queue_splitter3 splitter$r)"
done

# data_maintainer: nrows rows, each way
bsql "$PORT_dst" -c "create table big (id int primary key, n int not null default 0)" \
    -c "insert into big (id) select generate_series(1, $nrows)" >/dev/null
dm() {
    local name=$1 t0 t1
    shift
    {
        echo "[data_maintainer3]"
        echo "dbread = $ddb"
        echo "dbwrite = $ddb"
        echo "sql_get_pk_list = select id from big"
        echo "fetch_count = 1000"
        printf '%s\n' "$@"
    } >"$BENCH_DIR/$name.ini"
    t0=$(now)
    data_maintainer -q "$BENCH_DIR/$name.ini"
    t1=$(now)
    rate "$nrows" "$t0" "$t1"
}
for r in $(seq 1 "$rounds"); do
    res[dm_row]+=" $(dm row 'sql_modify = update big set n = n + 1 where id = %%(id)s')"
    res[dm_row_tx]+=" $(dm rowtx 'sql_modify = update big set n = n + 1 where id = %%(id)s' 'autocommit = 0')"
    res[dm_batch]+=" $(dm batch 'sql_modify_batch = update big set n = n + 1 where id = any(%%(id)s::int[])' 'autocommit = 0')"
done

printf '\n%-52s %12s\n' "scripts ($nev events, $nrows rows, median of $rounds)" "per second"
printf '%-52s %12s\n' "queue_mover: events moved, exactly once" "$(median ${res[mover]})"
printf '%-52s %12s\n' "queue_splitter: events split, exactly once" "$(median ${res[splitter]})"
printf '%-52s %12s\n' "data_maintainer: sql_modify per row, autocommit" "$(median ${res[dm_row]})"
printf '%-52s %12s\n' "data_maintainer: sql_modify per row, tx per fetch" "$(median ${res[dm_row_tx]})"
printf '%-52s %12s\n' "data_maintainer: sql_modify_batch, tx per fetch" "$(median ${res[dm_batch]})"
