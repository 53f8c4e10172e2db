#!/bin/bash
# scripts/check.sh: run every test (the README's test command).
#
# Works on a fresh Debian 12 machine: as root it installs the Debian
# packages the build and tests need, then runs the tests as an unprivileged
# user (PostgreSQL refuses to run as root) in a copy of this tree.  Run as
# an ordinary user it checks the packages and runs 'make check' in place.
# Ends with 'N passed, N failed'; exits non-zero when anything failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

packages=(make gcc libc6-dev pkg-config git clang-format perl
          postgresql-15 postgresql-server-dev-15 libpq-dev libipc-run-perl
          libevent-dev libcmocka-dev)
test_user=${SKYTOOLS_TEST_USER:-skytest}

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done

if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -gt 0 ]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them (sudo apt-get install ${missing[*]}) or run this as root" >&2
        exit 2
    fi
    cd "$top" && exec make -s check
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! id "$test_user" >/dev/null 2>&1; then
    useradd --system --create-home --shell /bin/bash "$test_user"
fi

# The upstream packages compared against are fetched here, as root, so the
# tests can unpack them; a machine that cannot fetch them skips those tests.
work=$(mktemp -d /tmp/skytools-check.XXXXXX)
mkdir -p "$work/src"
(cd "$top" && tar --exclude=./tmp_install --exclude=./tmp_check \
    --exclude=./tmp_upstream --exclude=./tmp_upstream.debs -cf - .) \
    | tar -C "$work/src" -xf -
mkdir -p "$work/src/tmp_upstream.debs"
(cd "$work/src/tmp_upstream.debs" && apt-get download postgresql-15-pgq3 >/dev/null 2>&1) \
    || echo "== note: upstream postgresql-15-pgq3 cannot be fetched; comparison tests will skip"
chown -R "$test_user" "$work"

status=0
runuser -u "$test_user" -- env OUT="$work/out" make -s -C "$work/src" check || status=$?
if [ "$status" -ne 0 ]; then
    echo "test output kept in $work/out"
else
    rm -rf "$work"
fi
exit "$status"
