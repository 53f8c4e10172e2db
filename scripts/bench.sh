#!/bin/bash
# scripts/bench.sh [NAME...]: run the benchmarks in bench/ (all, or the
# named ones) and print their tables.  As root it installs what it needs
# and runs them as an unprivileged user, like check.sh.  Upstream's PgQ is
# unpacked from Debian's package beside ours when it can be fetched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"
user=${SKYTOOLS_TEST_USER:-skytest}

ensure_packages
if [ "$(id -u)" -eq 0 ]; then
    ensure_user "$user"
    work=$(mktemp -d /tmp/skytools-bench-src.XXXXXX)
    copy_tree "$top" "$work/src"
    fetch_upstream_debs "$work/src/tmp_upstream.debs"
    chown -R "$user" "$work"
    status=0
    runuser -u "$user" -- bash "$work/src/scripts/bench.sh" "$@" || status=$?
    rm -rf "$work"
    exit "$status"
fi

cd "$top"
export PG_CONFIG=$(command -v pg_config)
make -s all >/dev/null
make -s -C bench >/dev/null
TREE=$(scripts/tmp-install.sh "$top/tmp_install")/bin
UPSTREAM=$(scripts/upstream-install.sh "$top/tmp_upstream" 2>/dev/null)/bin || UPSTREAM=
[ -x "${UPSTREAM:-/nonexistent}/postgres" ] || { UPSTREAM=; echo "(upstream PgQ unavailable: ours only)"; }
PYPGQ=
if ls tmp_upstream.debs/py/*.deb >/dev/null 2>&1; then
    rm -rf tmp_upstream.py
    for d in tmp_upstream.debs/py/*.deb; do dpkg -x "$d" tmp_upstream.py; done
    PYPGQ=$top/tmp_upstream.py/usr/lib/python3/dist-packages
fi
UPSTREAM_PGQD=
[ -n "$UPSTREAM" ] && [ -x "$top/tmp_upstream/usr/bin/pgqd" ] && UPSTREAM_PGQD=$top/tmp_upstream/usr/bin/pgqd
export TREE UPSTREAM PYPGQ UPSTREAM_PGQD
export PATH=$TREE:$PATH
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd bench && ls *.sh | grep -v '^lib.sh$' | sed 's/\.sh$//'))
for n in "${names[@]}"; do
    echo "== bench/$n"
    BENCH_DIR=$(mktemp -d /tmp/skytools-bench.XXXXXX) bash "bench/$n.sh"
done
