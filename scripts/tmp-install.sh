#!/bin/bash
# scripts/tmp-install.sh DEST
#   Make DEST a private copy of the system's PostgreSQL tree (binaries,
#   libraries, share) and install this project's extensions into it with
#   'make install DESTDIR=DEST', as PostgreSQL's own temp-install does.
#   Tests run servers from DEST, so they need no root and never touch the
#   system's PostgreSQL.  The binaries are copied, not linked: postgres
#   finds its share and lib directories relative to its own real path.
set -euo pipefail
dest=$1
top=$(cd "$(dirname "$0")/.." && pwd)
pg_config=${PG_CONFIG:-pg_config}

bindir=$($pg_config --bindir)
pkglibdir=$($pg_config --pkglibdir)
sharedir=$($pg_config --sharedir)
libroot=$(dirname "$bindir")

if [ ! -x "$dest$bindir/postgres" ]; then
    mkdir -p "$dest$libroot" "$dest$(dirname "$sharedir")"
    cp -a "$libroot/." "$dest$libroot/"
    cp -a "$sharedir" "$dest$(dirname "$sharedir")/"
    # pkglibdir may live outside libroot on other layouts
    if [ ! -d "$dest$pkglibdir" ]; then
        mkdir -p "$dest$pkglibdir"
        cp -a "$pkglibdir/." "$dest$pkglibdir/"
    fi
fi

for ext in "$top"/ext/*/ "$top"/bin/*/; do
    make -s -C "$ext" install DESTDIR="$dest" >/dev/null
done
echo "$dest$libroot"
