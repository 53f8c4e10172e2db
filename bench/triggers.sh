#!/bin/bash
# bench/triggers.sh: rows/s of INSERT and UPDATE, 100 rows per transaction,
# into a table with no trigger, with pgq.logutriga, pgq.sqltriga and
# pgq.jsontriga: ours and upstream's (Debian's postgresql-15-pgq3) in the
# same run, alternating A B A B, medians of BENCH_REPS runs of BENCH_SECS
# seconds.  Prints a table; asserts nothing.
#
# Needs: TREE (our private tree's bin dir) and, when it can be had,
# UPSTREAM (upstream's); scripts/bench.sh sets both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
secs=${BENCH_SECS:-5}
reps=${BENCH_REPS:-3}
trap stop_clusters EXIT

sides=(ours)
start_cluster ours "$TREE"
if [ -n "${UPSTREAM:-}" ]; then
    start_cluster upstream "$UPSTREAM"
    sides+=(upstream)
fi

setup=$(cat <<'SQL'
create extension pgq;
select pgq.create_queue('bq');
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
# BENCH_EXTRA_SQL: more setup, for experiments
setup="$setup
${BENCH_EXTRA_SQL:-}"
for s in "${sides[@]}"; do
    port_var=PORT_$s
    bsql "${!port_var}" -c "$setup" >/dev/null
done

for t in none logu sql json; do
    cat >"$BENCH_DIR/ins_$t.sql" <<SQL
insert into t_$t (a, b, c) select 'row ' || g, g, now() from generate_series(1, 100) g;
SQL
    cat >"$BENCH_DIR/upd_$t.sql" <<SQL
\set s random(1, 99900)
update t_$t set b = b + 1 where id between :s and :s + 99;
SQL
done

declare -A result
for op in ins upd; do
    for t in none logu sql json; do
        for s in "${sides[@]}"; do eval "runs_${s}=()"; done
        for r in $(seq "$reps"); do
            for s in "${sides[@]}"; do
                [ "$t" = none ] && [ "$s" = upstream ] && continue
                port_var=PORT_$s
                v=$(tps "${!port_var}" "$BENCH_DIR/${op}_$t.sql" "$secs" 1)
                eval "runs_${s}+=($v)"
            done
        done
        for s in "${sides[@]}"; do
            [ "$t" = none ] && [ "$s" = upstream ] && continue
            eval "vals=(\"\${runs_${s}[@]}\")"
            result[$op,$t,$s]=$(awk -v x="$(median "${vals[@]}")" 'BEGIN {printf "%.0f", x * 100}')
        done
    done
done

echo
echo "rows/s, 100 rows per transaction, 1 client, median of $reps x ${secs}s"
printf '%-8s %-10s %10s %10s %10s %10s %10s\n' op trigger none ours upstream "ours/none" "ups/none"
for op in ins upd; do
    for t in logu sql json; do
        none=${result[$op,none,ours]}
        ours=${result[$op,$t,ours]}
        ups=${result[$op,$t,upstream]:-}
        printf '%-8s %-10s %10s %10s %10s %10s %10s\n' \
            "$([ $op = ins ] && echo INSERT || echo UPDATE)" "$t" "$none" "$ours" "${ups:--}" \
            "$(awk -v a="$ours" -v b="$none" 'BEGIN {printf "%.2f", a / b}')" \
            "$([ -n "$ups" ] && awk -v a="$ups" -v b="$none" 'BEGIN {printf "%.2f", a / b}' || echo -)"
    done
done
