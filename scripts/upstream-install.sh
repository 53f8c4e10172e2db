#!/bin/bash
# scripts/upstream-install.sh DEST
#   Make DEST a private PostgreSQL tree (as tmp-install.sh: the server
#   only, whatever the system tree holds) holding upstream's extensions
#   from Debian's packages (PgQ 3.5 from postgresql-15-pgq3, pgq_node 3.5
#   from postgresql-15-pgq-node, londiste 3.8 from
#   postgresql-15-londiste-sql) and upstream's pgqd (Debian's pgqd, as
#   DEST/usr/bin/pgqd), fetched with 'apt-get download' and unpacked with
#   'dpkg -x'.  Used only by tests and benchmarks that compare with
#   upstream; nothing of it enters the repository.  Prints the tree's
#   PostgreSQL root on success; exits 1 with a message on stderr when a
#   package cannot be had.
set -euo pipefail
dest=$1
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"
pkgs=${UPSTREAM_PACKAGES:-$UPSTREAM_DEBS}
pg_config=${PG_CONFIG:-pg_config}
bindir=$($pg_config --bindir)
pkglibdir=$($pg_config --pkglibdir)
libroot=$(dirname "$bindir")

# TAP stories run in parallel: one unpacks, the others wait for it
mkdir -p "$(dirname "$dest")"
exec 9>"$dest.lock"
flock 9
if [ "$(cat "$dest/.complete" 2>/dev/null)" != "$pkgs" ]; then
    debs=$dest.debs
    mkdir -p "$debs"
    for p in $pkgs; do
        if ! ls "$debs/${p}_"*.deb >/dev/null 2>&1; then
            if ! (cd "$debs" && apt-get download "$p" >/dev/null 2>&1); then
                echo "upstream package $p cannot be fetched (apt-get download failed)" >&2
                exit 1
            fi
        fi
    done
    rm -rf "$dest"
    copy_pg_tree "$dest"
    for d in "$debs"/*.deb; do
        dpkg -x "$d" "$dest"
    done
    [ -d "$dest$pkglibdir" ] || { echo "unexpected package layout" >&2; exit 1; }
    echo "$pkgs" >"$dest/.complete"
fi
echo "$dest$libroot"
