# scripts/common.sh: shell settings and helpers shared by the scripts.
# Source it; it sets the package lists and defines functions.

# The Debian packages the build, the tests and the demo need (the last
# line: building and checking the Debian packages, test/t/007_debian.pl).
SKYTOOLS_PACKAGES=(make gcc libc6-dev pkg-config git clang-format perl
    postgresql-15 postgresql-server-dev-15 libpq-dev libipc-run-perl
    libevent-dev libjansson-dev libcmocka-dev clang libclang-rt-14-dev
    libyaml-dev libssl-dev libzstd-dev libedit-dev tmux libcsv-dev
    scdoc man-db groff-base
    debhelper dpkg-dev fakeroot lintian postgresql-server-dev-all systemd)

# Upstream's Debian packages, fetched (never installed) for comparison
# tests and benchmarks: scripts/upstream-install.sh unpacks them into a
# private tree.
UPSTREAM_DEBS="postgresql-15-pgq3 postgresql-15-pgq-node postgresql-15-londiste-sql pgqd"
# Upstream's Python tools (mixed-cascade tests, benchmarks), fetched and
# unpacked the same way; they run on Debian's psycopg2 and yaml.
UPSTREAM_PYDEBS="python3-pgq python3-skytools python3-londiste"
UPSTREAM_PYDEPS="python3-psycopg2 python3-yaml"

# fetch_upstream_debs DIR: download upstream's packages into DIR and the
# Python ones into DIR/py, and install the Python libraries they run on
# (as root).  Failure is not fatal: the tests that need them skip.
fetch_upstream_debs() {
    local dir=$1 p
    mkdir -p "$dir/py"
    fetch() { (cd "$dir" && apt-get download $UPSTREAM_DEBS >/dev/null 2>&1) \
        && (cd "$dir/py" && apt-get download $UPSTREAM_PYDEBS >/dev/null 2>&1); }
    fetch || { apt-get update -qq >/dev/null 2>&1; fetch; } \
        || echo "== note: upstream packages cannot be fetched; comparison tests will skip"
    for p in $UPSTREAM_PYDEPS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 \
            || echo "== note: $p cannot be installed; mixed-cascade tests will skip"
    done
}

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

# copy_pg_tree DEST: DEST becomes a private copy of the system's PostgreSQL
# tree (binaries, libraries, share; postgres finds share and lib relative to
# its own real path, so the files are copied, not linked), holding the
# server and its contrib modules only.  Whatever other packages installed
# into the system tree stays out, first of all another build of PgQ,
# pgq_node, pgq_coop, pgq_ext or Londiste (Debian's upstream packages on a
# machine that switches from them): the extension machinery would see their
# control and update files beside ours.  Run again on an existing DEST it
# only takes those files out again.
copy_pg_tree() {
    local dest=$1 pgc=${PG_CONFIG:-pg_config}
    local bindir pkglibdir sharedir libroot major
    bindir=$($pgc --bindir)
    pkglibdir=$($pgc --pkglibdir)
    sharedir=$($pgc --sharedir)
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
    # SkyTools files of any origin, by name
    (cd "$dest$sharedir" && rm -rf extension/pgq[._-]* extension/londiste[._-]* \
        contrib/*pgq* contrib/*londiste*)
    (cd "$dest$pkglibdir" && rm -rf pgq[._-]* londiste[._-]* bitcode/pgq[._-]* \
        bitcode/londiste[._-]*)
    # and, where pg_config describes the tree of Debian's server package,
    # every extension file that another package installed
    major=$($pgc --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
    local owned=
    if [ -n "$major" ] && command -v dpkg-query >/dev/null; then
        owned=$(dpkg-query -L "postgresql-$major" "postgresql-client-$major" 2>/dev/null || true)
    fi
    if grep -qxF "$pkglibdir/plpgsql.so" <<<"$owned"; then
        local f
        for f in "$sharedir"/extension/* "$pkglibdir"/*.so; do
            [ -e "$dest$f" ] || continue
            grep -qxF "$f" <<<"$owned" || rm -f "$dest$f"
        done
    fi
}
