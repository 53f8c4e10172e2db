#!/bin/bash
# scripts/run-tests.sh
#   Every test layer, as an unprivileged user (make check calls this):
#   build, install into a private PostgreSQL tree, then for each extension
#   the pg_regress suites (extension and PL-only builds), the isolation
#   specs, and the TAP suites; last the format check.  Each layer's output
#   goes to $OUT (default: ./tmp_check); a summary ends with
#   'N passed, N failed'.  Exit status 0 only when nothing failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# The system's pg_config, by absolute path: once the private tree's bin is
# on PATH, a bare pg_config would describe the private tree instead.
pg_config=$(command -v "${PG_CONFIG:-pg_config}")
export PG_CONFIG=$pg_config
pgxs_dir=$(cd "$(dirname "$($pg_config --pgxs)")/../.." && pwd)
out=${OUT:-$top/tmp_check}
rm -rf "$out"
mkdir -p "$out"

passed=0
failed=0
failures=()

# SKYTOOLS_CPU_LOAD=N (check.sh --load): N stress-ng CPU workers for the
# whole run
if [ -n "${SKYTOOLS_CPU_LOAD:-}" ]; then
    command -v stress-ng >/dev/null || { echo "stress-ng is not installed"; echo "0 passed, 1 failed"; exit 1; }
    stress-ng --cpu "$SKYTOOLS_CPU_LOAD" --timeout 3h --quiet &
    load_pid=$!
    trap 'kill $load_pid 2>/dev/null' EXIT
    printf '== under CPU load: %s stress-ng workers on %s cores\n' "$SKYTOOLS_CPU_LOAD" "$(nproc)"
fi

note() { printf '== %s\n' "$*"; }

# count LABEL LOG: add a pg_regress / isolation run's per-test results.
count_regress() {
    local label=$1 log=$2 ok bad
    ok=$(grep -Ec '^(test |ok |     )?.* \.\.\. ok' "$log" || true)
    bad=$(grep -Ec '\.\.\. FAILED|\.\.\. failed' "$log" || true)
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ] || [ "$ok" -eq 0 ]; then
        [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && failed=$((failed + 1))
        failures+=("$label (see $log and its regression.diffs)")
    fi
    printf '   %s: %d passed, %d failed\n' "$label" "$ok" "$bad"
}

note "build (programs and unit tests with AddressSanitizer and UBSan)"
if ! { make -s -C lib clean && make -s SANITIZE=1 all && make -s -C lib SANITIZE=1 tests; } \
        >"$out/build.log" 2>&1; then
    cat "$out/build.log"
    echo "0 passed, 1 failed"
    exit 1
fi

note "unit tests (cmocka)"
for t in lib/test/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$out/$name.log" 2>&1
    st=$?
    ok=$(grep -c '^ok ' "$out/$name.log" || true)
    bad=$(grep -c '^not ok ' "$out/$name.log" || true)
    [ "$st" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
    passed=$((passed + ok))
    failed=$((failed + bad))
    [ "$bad" -gt 0 ] && failures+=("unit $name (see $out/$name.log)")
    printf '   %s: %d passed, %d failed\n' "$name" "$ok" "$bad"
done

# The row decoder is fuzzed (libFuzzer) while the database layers run;
# its result is collected at the end.
fuzz_seconds=${FUZZ_SECONDS:-180}
note "fuzzing the row decoder for ${fuzz_seconds}s in the background"
make -s -C lib fuzz FUZZ_SECONDS="$fuzz_seconds" >"$out/fuzz.log" 2>&1 &
fuzz_pid=$!

note "private PostgreSQL tree"
# SANITIZE=1 as in the build, so that install does not rebuild plain
tree=$(SANITIZE=1 scripts/tmp-install.sh "$top/tmp_install") || { echo "0 passed, 1 failed"; exit 1; }
export PGQ_BINDIR=$tree/bin

pg_regress=$pgxs_dir/src/test/regress/pg_regress
pg_isolation_regress=$pgxs_dir/src/test/isolation/pg_isolation_regress

for extdir in ext/*/; do
    ext=$(basename "$extdir")
    t=$extdir/test
    [ -d "$t" ] || continue
    for suite in "$t"/*.schedule; do
        [ -f "$suite" ] || continue
        name=$(basename "$suite" .schedule)
        bindir=$tree/bin
        if [ "$name" = upstream ]; then
            # our suites against upstream's build: skipped when the
            # package cannot be had
            if ! up=$(scripts/upstream-install.sh "$top/tmp_upstream" 2>"$out/upstream.log"); then
                echo "   $ext/$name: skipped: $(cat "$out/upstream.log")"
                continue
            fi
            bindir=$up/bin
        fi
        note "pg_regress $ext/$name"
        mkdir -p "$out/$ext-$name"
        PGQ_PL_ONLY_SQL=$top/$extdir/pgq_pl_only.sql EXT_DIR=$top/$extdir \
        "$pg_regress" --temp-instance="$out/$ext-$name/instance" \
            --bindir="$bindir" --inputdir="$t" --outputdir="$out/$ext-$name" \
            --schedule="$suite" --dbname=regression \
            >"$out/$ext-$name.log" 2>&1
        count_regress "$ext/$name" "$out/$ext-$name.log"
    done
    if ls "$t"/specs/*.spec >/dev/null 2>&1; then
        note "isolation $ext"
        mkdir -p "$out/$ext-isolation"
        specs=$(cd "$t/specs" && ls *.spec | sed 's/\.spec$//')
        "$pg_isolation_regress" --temp-instance="$out/$ext-isolation/instance" \
            --bindir="$tree/bin" --inputdir="$t" \
            --outputdir="$out/$ext-isolation" --load-extension="$ext" \
            $specs >"$out/$ext-isolation.log" 2>&1
        count_regress "$ext/isolation" "$out/$ext-isolation.log"
    fi
done

# The fuzzer (one core) is done before the TAP stories start: Londiste's
# catch-up stories race a steady load and need the machine's two cores.
fuzz_ok=0
if wait "$fuzz_pid" && grep -q '^Done [0-9]* runs' "$out/fuzz.log"; then
    fuzz_ok=1
fi

# The Debian packages (test/packages.sh): scripts/check.sh runs them as
# root beside the layers above and names their log here; they finish
# before the TAP stories start, as the fuzzer does.
note "Debian packages (test/packages.sh)"
if [ -n "${SKYTOOLS_PACKAGES_LOG:-}" ]; then
    # the log's .done appears when the root side has finished (it builds
    # the packages: about five minutes here; half an hour at most)
    for i in $(seq 1800); do
        [ -e "$SKYTOOLS_PACKAGES_LOG.done" ] && break
        sleep 1
    done
    ok=$(grep -c '^ok ' "$SKYTOOLS_PACKAGES_LOG" 2>/dev/null || true)
    bad=$(grep -c '^not ok ' "$SKYTOOLS_PACKAGES_LOG" 2>/dev/null || true)
    if [ ! -e "$SKYTOOLS_PACKAGES_LOG.done" ] || ! grep -q '^1\.\.' "$SKYTOOLS_PACKAGES_LOG"; then
        bad=$((bad + 1))
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    [ "$bad" -gt 0 ] && failures+=("Debian packages (see $SKYTOOLS_PACKAGES_LOG)")
    grep -E '^(ok|not ok|#|1\.\.)' "$SKYTOOLS_PACKAGES_LOG" | sed 's/^/   /'
else
    echo "   skipped: it installs packages, so it runs as root (scripts/check.sh as root)"
fi

# TAP: every ext/*/test/t, bin/*/t and test/t directory; the stories of
# a directory run $TAP_JOBS at a time (they mostly wait on their clusters).
# Two at a time, Londiste's one at a time: its copy stories catch up
# under a steady load, and with another story beside them (at three, and
# at two on a slower day of this 2-core machine) a copy fell behind for
# good; each passes alone in about a minute.
tap_jobs=${TAP_JOBS:-2}
tapdirs=$(ls -d ext/*/test/t bin/*/t test/t 2>/dev/null || true)
for d in $tapdirs; do
    ls "$d"/*.pl >/dev/null 2>&1 || continue
    note "TAP $d"
    label=$(echo "$d" | tr / -)
    mkdir -p "$out/$label"
    (
        export PATH=$tree/bin:$PATH
        export PERL5LIB=$pgxs_dir/src/test/perl:$top/test/perl
        export TESTDIR=$out/$label
        export PG_REGRESS=$pg_regress
        export SKYTOOLS_TOP=$top
        export SKYTOOLS_TREE=$tree
        jobs=$tap_jobs
        [ "$d" = bin/londiste/t ] && jobs=${LONDISTE_TAP_JOBS:-1}
        cd "$out/$label" && prove -v -j"$jobs" "$top/$d"/*.pl
    ) >"$out/$label.log" 2>&1
    st=$?
    total=$(sed -n 's/.*Tests=\([0-9]*\),.*/\1/p' "$out/$label.log" | tail -1)
    bad=$(grep -Ec '^not ok' "$out/$label.log" || true)
    total=${total:-0}
    if [ "$st" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
    fi
    passed=$((passed + total - $(grep -Ec '^not ok' "$out/$label.log" || true)))
    failed=$((failed + bad))
    [ "$bad" -gt 0 ] && failures+=("TAP $d (see $out/$label.log)")
    grep -E '^(ok|not ok)|\) # [a-z]' "$out/$label.log" | sed 's/^/   /'
done

note "fuzz (libFuzzer, row decoder)"
if [ "$fuzz_ok" = 1 ]; then
    passed=$((passed + 1))
    printf '   %s\n' "$(grep '^Done' "$out/fuzz.log")"
else
    failed=$((failed + 1))
    failures+=("fuzz (see $out/fuzz.log)")
    tail -20 "$out/fuzz.log" | sed 's/^/   /'
fi

note "format"
cfiles=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './tmp_*')
if [ -n "$cfiles" ] && ! clang-format --dry-run --Werror $cfiles >"$out/format.log" 2>&1; then
    failed=$((failed + 1))
    failures+=("clang-format (see $out/format.log)")
else
    passed=$((passed + 1))
fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do
    echo "FAILED: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
