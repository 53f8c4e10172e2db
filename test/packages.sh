#!/bin/bash
# test/packages.sh DIR: the Debian packages, built, installed, used and
# removed on this machine (as root: scripts/check.sh runs it beside the
# other tests; it changes the system, so it is meant for a throwaway
# machine such as CI's).  Prints TAP lines ("ok N - ...", "1..N").
#
#  1. 'make deb' in a clean clone of this repository; lintian finds no
#     error in the packages.
#  2. A machine with Debian's upstream packages (postgresql-15-pgq3,
#     -pgq-node, -londiste-sql, pgqd, python3-londiste) replicating a table
#     with Python Londiste switches to ours with 'apt-get install ./*.deb':
#     the upstream packages are replaced, skytools_upgrade runs ALTER
#     EXTENSION ... UPDATE, our pgqd and londiste take over the same ini
#     files and the table keeps replicating: nothing lost, nothing twice.
#  3. The man pages render without warnings; systemd-analyze verify takes
#     the units.
#  4. The README demo's steps with the installed programs and extensions
#     (scripts/demo.sh with SKYTOOLS_INSTALLED=1).
#  5. The packages removed again leave none of their files.
# Upstream's packages are put back if the machine had them.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/common.sh"
dir=${1:?usage: test/packages.sh DIR}
user=${SKYTOOLS_TEST_USER:-skytest}
log=$dir/packages.log
n=0
bad=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }
# t DESC CMD...: a test that a command succeeds (its output in the log)
t() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$desc"; else notok "$desc" "$(tail -15 <<<"$out")"; fi
    printf '=== %s\n%s\n' "$desc" "$out" >>"$log"
}
# is DESC GOT WANT: a value compared
is() { if [ "$2" = "$3" ]; then ok "$1: $2"; else notok "$1" "got '$2', want '$3'"; fi; }
finish() { echo "1..$n"; exit $((bad > 0)); }

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP installing packages needs root"
    exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
chmod 755 "$dir"
ensure_user "$user"
export DEBIAN_FRONTEND=noninteractive

OURS="postgresql-15-skytools skytools-pgqd skytools libskytools0 libskytools-dev"
UPSTREAM="postgresql-15-pgq3 postgresql-15-pgq-node postgresql-15-londiste-sql pgqd python3-londiste"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
had_upstream=
for p in $UPSTREAM; do installed "$p" && had_upstream+=" $p"; done
# a run killed half-way may have left ours installed
apt-get purge -y -qq $OURS >/dev/null 2>&1
# no package's service is started here (upstream's pgqd has an init script)
policy_made=
cluster_up=
cleanup() {
    [ -n "$cluster_up" ] && as_user "$bindir/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1
    [ -n "$policy_made" ] && rm -f /usr/sbin/policy-rc.d
}
trap cleanup EXIT
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_made=1
fi

# 1. build and lintian
# (the tree may belong to the test user: git's ownership check is waived
# by a config of this run's own, which the clone's upload-pack reads too)
printf '[safe]\n\tdirectory = *\n' >"$dir/gitconfig"
export GIT_CONFIG_GLOBAL=$dir/gitconfig
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git clone -q "$top" "$dir/src"
else
    copy_tree "$top" "$dir/src"
fi
t "make deb in a clean clone" make -C "$dir/src" deb
debs=$(ls "$dir"/*.deb 2>/dev/null | grep -v -- -dbgsym_)
count=$(wc -w <<<"$debs")
if [ "$count" -eq 5 ]; then ok "five packages built"; else notok "five packages built" "$debs"; fi
[ "$count" -eq 0 ] && finish
lint=$(lintian "$dir"/*.changes 2>&1 | grep -v 'root privileges')
if grep -q '^E:' <<<"$lint"; then notok "lintian finds no errors" "$lint"; else ok "lintian finds no errors"; fi
echo "$lint" >>"$log"

# 2. a live Python Londiste cascade on upstream's packages
cluster=$dir/cluster
bindir=/usr/lib/postgresql/15/bin
port=55432
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
as_user() { runuser -u "$user" -- "$@"; }
sql() { as_user psql -X -At -h "$cluster" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
conn() { echo "host=$cluster port=$port user=postgres dbname=$1"; }
# wait_for DESC CMD...: until CMD succeeds (at most 3 minutes)
wait_for() {
    local desc=$1 i
    shift
    for i in $(seq 1800); do
        "$@" >/dev/null 2>&1 && { ok "$desc"; return 0; }
        sleep 0.1
    done
    notok "$desc"
    return 1
}
# stopped PIDFILE...: none of the processes runs
stopped() {
    local f
    for f; do
        [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && return 1
    done
    return 0
}
# the extensions of a database and their versions, "name version, ..."
ext_versions() {
    sql -d "$1" -c "select string_agg(extname || ' ' || extversion, ', ' order by extname)
        from pg_extension where extname <> 'plpgsql'"
}
leaf_has() { [ "$(sql -d shop_copy -c "select count(*) from orders")" = "$1" ]; }
# same content, compared as text on both sides
same() { [ "$(sql -d shop -c "select md5(string_agg(o::text, ',' order by id)) from orders o")" = \
           "$(sql -d shop_copy -c "select md5(string_agg(o::text, ',' order by id)) from orders o")" ]; }

mkdir -p "$cluster"
chown "$user" "$cluster"
t "a cluster of the system's PostgreSQL 15" as_user "$bindir/initdb" -D "$cluster/data" -A trust -U postgres
t "it starts" as_user "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
    -o "-p $port -k $cluster -c listen_addresses=''" start
cluster_up=1

up_debs=$(ls "$top"/tmp_upstream.debs/*.deb "$top"/tmp_upstream.debs/py/*.deb 2>/dev/null)
[ -n "$up_debs" ] && up_debs+=" python3-londiste"
switched=
if [ -z "$had_upstream" ] && [ -z "$up_debs" ]; then
    echo "# upstream's packages cannot be had here: the switch is not tested"
elif t "upstream's packages installed" apt-get install -y -qq --no-install-recommends $up_debs $had_upstream \
        && installed python3-londiste && installed postgresql-15-pgq3; then
    for db in shop shop_copy; do
        sql -d postgres -c "create database $db" >/dev/null
        sql -d $db -c "create table orders (id int primary key, customer text, total numeric)" >/dev/null
    done
    sql -d shop -c "insert into orders select g, 'c' || g, g from generate_series(1, 500) g" >/dev/null
    for w in root leaf; do
        db=shop
        [ $w = leaf ] && db=shop_copy
        cat >"$cluster/$w.ini" <<INI
[londiste]
job_name = $w
db = $(conn $db)
queue_name = shopq
logfile = $cluster/$w.log
pidfile = $cluster/$w.pid
loop_delay = 0.2
INI
    done
    cat >"$cluster/pgqd.ini" <<INI
[pgqd]
base_connstr = host=$cluster port=$port user=postgres
initial_database = postgres
logfile = $cluster/pgqd.log
pidfile = $cluster/pgqd.pid
ticker_period = 0.2
INI
    chown "$user" "$cluster"/*.ini
    t "Python Londiste: create-root" as_user londiste "$cluster/root.ini" create-root root "$(conn shop)"
    t "Python Londiste: create-leaf" as_user londiste "$cluster/leaf.ini" create-leaf leaf "$(conn shop_copy)" \
        --provider="$(conn shop)"
    t "upstream's pgqd runs" as_user pgqd -d "$cluster/pgqd.ini"
    t "Python Londiste: root worker" as_user londiste -d "$cluster/root.ini" worker
    t "Python Londiste: leaf worker" as_user londiste -d "$cluster/leaf.ini" worker
    t "Python Londiste: add-table on the root" as_user londiste "$cluster/root.ini" add-table orders
    t "Python Londiste: add-table on the leaf" as_user londiste "$cluster/leaf.ini" add-table orders
    sql -d shop -c "insert into orders select g, 'c' || g, g from generate_series(501, 1000) g" >/dev/null
    wait_for "upstream's stack replicates the table" leaf_has 1000
    is "the leaf runs upstream's extensions" "$(ext_versions shop_copy)" 'londiste 3.8, pgq 3.5, pgq_node 3.5'
    # the switch: the workers and pgqd stop, the packages are replaced
    as_user londiste "$cluster/leaf.ini" -s >/dev/null 2>&1
    as_user londiste "$cluster/root.ini" -s >/dev/null 2>&1
    as_user pgqd -s "$cluster/pgqd.ini" >/dev/null 2>&1
    wait_for "the Python workers and upstream's pgqd stop" stopped "$cluster"/{root,leaf,pgqd}.pid
    # rows written while nothing replicates
    sql -d shop -c "update orders set total = total + 1 where id % 7 = 0; insert into orders values (1001, 'during', 1)" >/dev/null
    switched=1
fi

t "apt-get install ./*.deb" apt-get install -y -qq --no-install-recommends $debs
for p in $OURS; do
    if installed "$p"; then ok "$p installed"; else notok "$p installed"; fi
done
if [ -n "$switched" ]; then
    left=
    for p in $UPSTREAM; do installed "$p" && left+=" $p"; done
    if [ -z "$left" ]; then ok "upstream's packages replaced"; else notok "upstream's packages replaced" "still:$left"; fi
    t "skytools_upgrade --all updates the extensions" as_user skytools_upgrade --host "$cluster" --port "$port" \
        --user postgres --all
    want=$(for e in londiste pgq pgq_node; do
        printf '%s %s, ' $e "$(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/$e.control)"
    done | sed 's/, $//')
    is "the leaf's extensions are ours" "$(ext_versions shop_copy)" "$want"
    t "our pgqd on the same ini" as_user pgqd -d "$cluster/pgqd.ini"
    t "our londiste: root worker on the same ini" as_user londiste -d "$cluster/root.ini" worker
    t "our londiste: leaf worker on the same ini" as_user londiste -d "$cluster/leaf.ini" worker
    sql -d shop -c "insert into orders select g, 'after' || g, g from generate_series(1002, 1500) g; delete from orders where id <= 10" >/dev/null
    wait_for "the table keeps replicating after the switch" leaf_has 1490
    wait_for "the leaf's rows equal the root's (nothing lost, nothing twice)" same
    t "our londiste compare agrees" as_user londiste "$cluster/leaf.ini" compare orders
    as_user londiste "$cluster/leaf.ini" -s >/dev/null 2>&1
    as_user londiste "$cluster/root.ini" -s >/dev/null 2>&1
    as_user pgqd -s "$cluster/pgqd.ini" >/dev/null 2>&1
    wait_for "our workers and pgqd stop" stopped "$cluster"/{root,leaf,pgqd}.pid
fi
as_user "$bindir/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1
cluster_up=

# 3. man pages and units
pages=$(dpkg-query -L $OURS | grep -E '^/usr/share/man/man[0-9]/[^/]+\.gz$')
npages=0
for p in $pages; do
    [ -L "$p" ] && continue
    npages=$((npages + 1))
    w=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
    if [ -z "$w" ]; then ok "man -l $(basename "$p") without warnings"; else notok "man -l $(basename "$p")" "$w"; fi
done
[ "$npages" -ge 15 ] && ok "$npages man pages installed" || notok "man pages installed" "only $npages"
t "man pgqd finds the page" bash -c "MANWIDTH=80 man pgqd | grep -q ticker"
t "man 5 londiste finds the page" bash -c "MANWIDTH=80 man 5 londiste | grep -q queue_name"
units=$dir/units
mkdir -p "$units"
cp /lib/systemd/system/pgqd.service "$units/"
cp /lib/systemd/system/londiste@.service "$units/londiste@shop.service"
cp /lib/systemd/system/walmgr-syncdaemon@.service "$units/walmgr-syncdaemon@main.service"
for u in pgqd.service londiste@shop.service walmgr-syncdaemon@main.service; do
    t "systemd-analyze verify $u" bash -c "cd $units && out=\$(systemd-analyze verify ./$u 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
done

# 4. the README demo with what the packages installed
t "the README demo with the installed packages" env SKYTOOLS_INSTALLED=1 bash "$dir/src/scripts/demo.sh" "$dir/demo"
if grep -q "Tartu" "$log" && grep -q "new customer" "$log"; then
    ok "the demo replicated its rows"
else
    notok "the demo replicated its rows"
fi

# 5. removed
t "apt-get purge" apt-get purge -y -qq $OURS
left=$(ls /usr/bin/londiste /usr/bin/pgqd /usr/share/postgresql/15/extension/pgq.control \
    /usr/lib/postgresql/15/lib/pgq_triggers.so /usr/lib/x86_64-linux-gnu/libskytools.so.0 2>/dev/null)
if [ -z "$left" ]; then ok "no file of ours is left"; else notok "no file of ours is left" "$left"; fi

# the machine's own upstream packages back, when it had them
if [ -n "$had_upstream" ]; then
    t "upstream's packages put back" apt-get install -y -qq --no-install-recommends $up_debs $had_upstream
fi
finish
