#!/bin/bash
# scripts/check.sh: run every test (the README's test command).
#
# Works on a fresh Debian 12 machine: as root it installs the Debian
# packages the build and tests need, then runs the tests as an unprivileged
# user (PostgreSQL refuses to run as root) in a copy of this tree.  Run as
# an ordinary user it checks the packages and runs 'make check' in place.
# Ends with 'N passed, N failed'; exits non-zero when anything failed.
#
#   --load[=N]  keep the CPUs busy for the whole run with N stress-ng
#               workers (default two per core), so that a test that
#               depends on the machine's speed shows it here first
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

. "$top/scripts/common.sh"
test_user=${SKYTOOLS_TEST_USER:-skytest}

for arg in "$@"; do
    case $arg in
        --load) export SKYTOOLS_CPU_LOAD=$(($(nproc) * 2)) ;;
        --load=*) export SKYTOOLS_CPU_LOAD=${arg#--load=} ;;
        *) echo "usage: $0 [--load[=N]]" >&2; exit 2 ;;
    esac
done
[ -n "${SKYTOOLS_CPU_LOAD:-}" ] && SKYTOOLS_PACKAGES+=(stress-ng)

ensure_packages
if [ "$(id -u)" -ne 0 ]; then
    cd "$top" && exec make -s check
fi
ensure_user "$test_user"

# The upstream packages compared against are fetched here, as root, so the
# tests can unpack them; a machine that cannot fetch them skips those tests.
work=$(mktemp -d /tmp/skytools-check.XXXXXX)
copy_tree "$top" "$work/src"
fetch_upstream_debs "$work/src/tmp_upstream.debs"
chown -R "$test_user" "$work"

# The Debian packages are built, installed, used and removed as root
# (test/packages.sh) while the first layers run; run-tests.sh waits for
# them before its TAP stories and counts them.  SKYTOOLS_NO_PACKAGES=1
# leaves them out (a machine that must keep its packages as they are).
packages_log=
if [ -z "${SKYTOOLS_NO_PACKAGES:-}" ]; then
    packages_log=$work/packages.tap
    (bash "$work/src/test/packages.sh" "$work/packages" >"$packages_log" 2>&1 || :
     touch "$packages_log.done") &
fi

status=0
runuser -u "$test_user" -- env OUT="$work/out" SKYTOOLS_CPU_LOAD="${SKYTOOLS_CPU_LOAD:-}" \
    SKYTOOLS_PACKAGES_LOG="$packages_log" make -s -C "$work/src" check || status=$?
wait
if [ "$status" -ne 0 ]; then
    echo "test output kept in $work/out"
else
    rm -rf "$work"
fi
exit "$status"
