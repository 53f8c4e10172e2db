# scripts/common.sh: shell settings and helpers shared by the scripts.
# Source it; it sets the package lists and defines functions.

# The Debian packages the build, the tests and the demo need.
SKYTOOLS_PACKAGES=(make gcc libc6-dev pkg-config git clang-format perl
    postgresql-15 postgresql-server-dev-15 libpq-dev libipc-run-perl
    libevent-dev libcmocka-dev clang libclang-rt-14-dev)

# Upstream's Debian packages, fetched (never installed) for comparison
# tests and benchmarks: scripts/upstream-install.sh unpacks them into a
# private tree.
UPSTREAM_DEBS="postgresql-15-pgq3 postgresql-15-pgq-node pgqd"

# ensure_packages: install what is missing when root; otherwise name it and
# fail.
ensure_packages() {
    local missing=() p
    for p in "${SKYTOOLS_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them (sudo apt-get install ${missing[*]}) or run this as root" >&2
        return 2
    fi
    echo "== installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_user NAME: an unprivileged system user to run servers as.
ensure_user() {
    id "$1" >/dev/null 2>&1 || useradd --system --create-home --shell /bin/bash "$1"
}

# copy_tree SRC DEST: the source tree without build and test leftovers.
copy_tree() {
    mkdir -p "$2"
    (cd "$1" && tar --exclude=./tmp_install --exclude=./tmp_check \
        --exclude=./tmp_upstream --exclude=./tmp_upstream.debs -cf - .) \
        | tar -C "$2" -xf -
}
