#!/bin/bash
# bench/consume.sh: events/s drained from one queue by three consumers of
# the same events: the C library (examples/simple_consumer, no-op event
# callback, events streamed through a cursor), a bare SQL loop run inside
# the server (next_batch / get_batch_events / finish_batch in a DO block:
# no client at all), and upstream's Python consumer (Debian's python3-pgq,
# pgq.Consumer with a no-op process_event).  Each round produces
# BENCH_EVENTS events in batches of BENCH_BATCH and lets the three drain
# them in turn (order rotated); medians of BENCH_REPS rounds.  Prints a
# table; asserts nothing.
#
# Needs: TREE (scripts/bench.sh sets it); PYPGQ (python3-pgq's unpacked
# dist-packages, set by scripts/bench.sh when it can be had).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
events=${BENCH_EVENTS:-300000}
batch=${BENCH_BATCH:-5000}
reps=${BENCH_REPS:-3}
trap stop_clusters EXIT

start_cluster ours "$TREE"
port=$PORT_ours
consumer=$here/../examples/simple_consumer
conn="host=$BENCH_DIR port=$port user=postgres dbname=postgres"
kinds=(lib sql)
if have_pypgq; then
    kinds+=(py)
else
    echo "(python3-pgq or python3-psycopg2 unavailable: no Python consumer)"
fi

bsql "$port" >/dev/null <<SQL
create extension pgq;
select pgq.create_queue('bq');
select pgq.set_queue_config('bq', 'ticker_max_count', '0');
select pgq.set_queue_config('bq', 'ticker_max_lag', '0');
select pgq.register_consumer('bq', 'c_' || k) from unnest('{lib,sql,py}'::text[]) k;
create procedure produce(n int, per int) language plpgsql as \$\$
begin
    for b in 0 .. n / per - 1 loop
        perform pgq.insert_event('bq', 'I:id', 'id=' || i || '&name=name+' || i || '&total=12.50')
           from generate_series(b * per + 1, (b + 1) * per) i;
        commit;
        perform pgq.ticker('bq');
        commit;
    end loop;
end \$\$;
SQL

drain() {
    case $1 in
        lib) "$consumer" -1 -q "$conn" bq c_lib 2>/dev/null ;;
        sql) bsql "$port" -c "do \$\$ declare b bigint; begin
                loop
                    b := pgq.next_batch('bq', 'c_sql');
                    exit when b is null;
                    perform count(*) from pgq.get_batch_events(b);
                    perform pgq.finish_batch(b);
                end loop; end \$\$" ;;
        py) run_pypgq "$conn" bq c_py ;;
    esac
}

declare -A runs
for r in $(seq "$reps"); do
    bsql "$port" -c "call produce($events, $batch)"
    order=("${kinds[@]}")
    # rotate the order each round
    for _ in $(seq $((r % ${#kinds[@]}))); do order=("${order[@]:1}" "${order[0]}"); done
    for k in "${order[@]}"; do
        t0=$(date +%s.%N)
        drain "$k"
        t1=$(date +%s.%N)
        runs[$k]+=" $(awk -v n="$events" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}')"
    done
    bsql "$port" -c "select pgq.maint_rotate_tables_step1('bq'); select pgq.maint_rotate_tables_step2()" >/dev/null
done

label() {
    case $1 in
        lib) echo "C library (examples/simple_consumer)" ;;
        sql) echo "bare SQL loop, inside the server" ;;
        py) echo "upstream python3-pgq Consumer" ;;
    esac
}
printf '\nconsume: %d events in batches of %d, median of %d rounds\n' "$events" "$batch" "$reps"
printf '%-40s %12s\n' "consumer" "events/s"
for k in "${kinds[@]}"; do
    med=$(median ${runs[$k]})
    eval "med_$k=$med"
    printf '%-40s %12.0f\n' "$(label "$k")" "$med"
done
if [ -n "${med_py:-}" ]; then
    printf '%-40s %12.2f\n' "ratio C library / python3-pgq" "$(awk -v a="$med_lib" -v b="$med_py" 'BEGIN {print a / b}')"
fi
printf '%-40s %12.2f\n' "ratio C library / bare SQL loop" "$(awk -v a="$med_lib" -v b="$med_sql" 'BEGIN {print a / b}')"
