#!/bin/bash
# bench/walmgr.sh: walmgr's archive and backup speed on one cluster of
# this machine.
#   archive: BENCH_SEGMENTS real WAL segments (made by pgbench -i) put
#     into an empty archive, one command per segment as archive_command
#     runs them: `cp` + `sync FILE`, walmgr xarchive plain, and with
#     compression = 1 and 3 (segments/s, MB/s, archive size).
#   stream: the same WAL received over a replication slot, catching up
#     from the slot to the server's position: pg_receivewal --endpos
#     against walmgr sync (seconds).
#   backup: a base backup of the cluster (pgbench scale BENCH_SCALE):
#     pg_basebackup -X none (CRC32C manifest, its default; and SHA-256)
#     against walmgr backup (SHA-256 manifest, synced), seconds.
# Every figure is the median of BENCH_ROUNDS rounds, alternating.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
nseg=${BENCH_SEGMENTS:-32}
scale=${BENCH_SCALE:-50}
rounds=${BENCH_ROUNDS:-3}
trap 'stop_clusters' EXIT

start_cluster w "$TREE"
port=$PORT_w
pgdata=$BENCH_DIR/w
ws=$BENCH_DIR/ws
cat >"$BENCH_DIR/master.ini" <<INI
[walmgr]
job_name = bench
master_db = host=$BENCH_DIR port=$port user=postgres dbname=postgres
master_data = $pgdata
master_restart_cmd = $TREE/pg_ctl -D $pgdata -l $pgdata.log -w -m fast restart
walmgr_data = $ws
completed_wals = %(walmgr_data)s/logs.complete
partial_wals = %(walmgr_data)s/logs.partial
full_backup = %(walmgr_data)s/data.master
logfile = $BENCH_DIR/walmgr.log
progress_interval = 0
INI
walmgr "$BENCH_DIR/master.ini" setup >/dev/null 2>&1
# slots holding the WAL of pgbench -i, one per stream round and way
bsql "$port" -c "select pg_create_physical_replication_slot(w || i, true)
    from generate_series(1, $rounds) i, unnest('{bench_rw,bench_wm}'::text[]) w" >/dev/null
bsql "$port" -c "alter system set archive_command = '/bin/true'" -c "select pg_reload_conf()" >/dev/null
pgbench -i -q -s "$scale" -h "$BENCH_DIR" -p "$port" -U postgres postgres >/dev/null 2>&1
bsql "$port" -c checkpoint >/dev/null

# the segments: copies of the first ones pgbench -i wrote
mkdir -p "$BENCH_DIR/segs"
for f in $(ls "$pgdata/pg_wal" | grep -E '^[0-9A-F]{24}$' | head -n "$nseg"); do
    cp "$pgdata/pg_wal/$f" "$BENCH_DIR/segs/"
done
segs=($(ls "$BENCH_DIR/segs"))
nseg=${#segs[@]}
mb=$(du -sm "$BENCH_DIR/segs" | cut -f1)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

# Every run writes into a directory of its own, removed at the end: ext4
# is slow to make files just after it deleted many (recently_deleted() in
# ext4_create), which would make the figures depend on what ran before.
archive_run() {   # archive_run WAY ROUND: "seconds archive-MB" for every segment
    local way=$1 dst=$BENCH_DIR/out.arch.$2.$1 t0 t1
    mkdir -p "$dst"
    sed -i "s|^completed_wals = .*|completed_wals = $dst|" "$BENCH_DIR/master.ini"
    sync
    t0=$(now)
    for f in "${segs[@]}"; do
        case $way in
            cp+sync) cp "$BENCH_DIR/segs/$f" "$dst/$f" && sync "$dst/$f" ;;
            xarchive) walmgr "$BENCH_DIR/master.ini" xarchive "$BENCH_DIR/segs/$f" "$f" 2>/dev/null ;;
            xarchive-z*) walmgr "$BENCH_DIR/master.ini" xarchive "$BENCH_DIR/segs/$f" "$f" --set "compression=${way#xarchive-z}" 2>/dev/null ;;
        esac
    done
    t1=$(now)
    echo "$(elapsed "$t0" "$t1") $(du -sm "$dst" | cut -f1)"
}

echo "archive: $nseg segments ($mb MB) one command each, median of $rounds"
printf '%-14s %10s %12s %10s %14s\n' way seconds segments/s MB/s "archive MB"
declare -A secs sizes
ways=(cp+sync xarchive xarchive-z1 xarchive-z3)
for r in $(seq "$rounds"); do
    for w in "${ways[@]}"; do
        read -r s z < <(archive_run "$w" "$r")
        secs[$w]="${secs[$w]:-} $s"
        sizes[$w]=$z
    done
done
rm -rf "$BENCH_DIR"/out.*
for w in "${ways[@]}"; do
    m=$(median ${secs[$w]})
    printf '%-14s %10.3f %12.1f %10.1f %14s\n' "$w" "$m" "$(awk -v n="$nseg" -v s="$m" 'BEGIN {print n / s}')" \
        "$(awk -v n="$mb" -v s="$m" 'BEGIN {print n / s}')" "${sizes[$w]}"
done
printf 'xarchive / cp+sync per segment: %.2fx\n' \
    "$(awk -v a="$(median ${secs[xarchive]})" -v b="$(median ${secs[cp+sync]})" 'BEGIN {print a / b}')"

# stream: every slot holds the WAL since before pgbench -i
end=$(bsql "$port" -At -c "select pg_current_wal_flush_lsn()")
# WAL beyond the end, so that pg_receivewal --endpos sees it reached
bsql "$port" -c "select pg_logical_emit_message(false, 'bench', 'x')" -c "select pg_switch_wal()" >/dev/null
stream_mb=$(bsql "$port" -At -c "select round((pg_current_wal_flush_lsn() - restart_lsn) / 1048576.0) from pg_replication_slots where slot_name = 'bench_rw1'")
echo
echo "stream: catching up $stream_mb MB of WAL from a slot, median of $rounds"
sed -i "s|^completed_wals = .*|completed_wals = $ws/logs.complete|" "$BENCH_DIR/master.ini"
rw=() wm=()
for r in $(seq "$rounds"); do
    mkdir -p "$BENCH_DIR/out.rw.$r"
    sync
    t0=$(now)
    pg_receivewal -h "$BENCH_DIR" -p "$port" -U postgres -D "$BENCH_DIR/out.rw.$r" -S "bench_rw$r" -E "$end" --no-loop 2>/dev/null
    t1=$(now)
    rw+=($(elapsed "$t0" "$t1"))
    sync
    t0=$(now)
    walmgr "$BENCH_DIR/master.ini" sync --set "slot_name=bench_wm$r" --set "partial_wals=$BENCH_DIR/out.wm.$r" 2>/dev/null
    t1=$(now)
    wm+=($(elapsed "$t0" "$t1"))
done
rm -rf "$BENCH_DIR"/out.*
printf '%-14s %10s %10s\n' way seconds MB/s
for w in pg_receivewal "walmgr sync"; do
    if [ "$w" = pg_receivewal ]; then m=$(median "${rw[@]}"); else m=$(median "${wm[@]}"); fi
    printf '%-14s %10.3f %10.1f\n' "$w" "$m" "$(awk -v n="$stream_mb" -v s="$m" 'BEGIN {print n / s}')"
done

# backup: archiving through walmgr (pg_backup_stop waits for it)
bsql "$port" -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots" >/dev/null
walmgr "$BENCH_DIR/master.ini" setup >/dev/null 2>&1
dbmb=$(du -sm "$pgdata/base" | cut -f1)
echo
echo "backup: data directory with $dbmb MB in base/, median of $rounds"
declare -A bsecs
bways=(pg_basebackup pg_basebackup-sha256 "walmgr backup")
for r in $(seq "$rounds"); do
    for w in "${bways[@]}"; do
        out=$BENCH_DIR/out.b.$r.${w// /_}
        sync
        t0=$(now)
        case $w in
            pg_basebackup) pg_basebackup 2>/dev/null -h "$BENCH_DIR" -p "$port" -U postgres -D "$out" -c fast -X none ;;
            pg_basebackup-sha256) pg_basebackup 2>/dev/null -h "$BENCH_DIR" -p "$port" -U postgres -D "$out" -c fast -X none --manifest-checksums=SHA256 ;;
            "walmgr backup") walmgr "$BENCH_DIR/master.ini" backup --set "full_backup=$out/data.master" 2>/dev/null ;;
        esac
        t1=$(now)
        bsecs[$w]="${bsecs[$w]:-} $(elapsed "$t0" "$t1")"
    done
done
rm -rf "$BENCH_DIR"/out.*
printf '%-22s %10s %10s\n' way seconds MB/s
for w in "${bways[@]}"; do
    m=$(median ${bsecs[$w]})
    printf '%-22s %10.3f %10.1f\n' "$w" "$m" "$(awk -v n="$dbmb" -v s="$m" 'BEGIN {print n / s}')"
done
printf 'walmgr backup / pg_basebackup: %.2fx\n' \
    "$(awk -v a="$(median ${bsecs[walmgr backup]})" -v b="$(median ${bsecs[pg_basebackup]})" 'BEGIN {print a / b}')"
