#!/bin/bash
# scripts/tmp-install.sh DEST
#   Make DEST a private copy of the system's PostgreSQL tree (binaries,
#   libraries, share) and install this project's extensions into it with
#   'make install DESTDIR=DEST', as PostgreSQL's own temp-install does.
#   Tests run servers from DEST, so they need no root and never touch the
#   system's PostgreSQL.  The tree holds the server and our extensions
#   only, never another package's PgQ or Londiste files (copy_pg_tree in
#   common.sh).
set -euo pipefail
dest=$1
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"
copy_pg_tree "$dest"
bindir=$(${PG_CONFIG:-pg_config} --bindir)
libroot=$(dirname "$bindir")

for ext in "$top"/ext/*/; do
    make -s -C "$ext" install DESTDIR="$dest" >/dev/null
done
# the programs beside the server's (tests and the demo put that bin first
# on PATH)
for prog in "$top"/bin/*/; do
    make -s -C "$prog" install DESTDIR="$dest" BINDIR="$bindir" >/dev/null
done
echo "$dest$libroot"
