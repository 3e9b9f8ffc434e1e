#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, step 2: every test, in a normal build (gcc), an ASan+UBSan build (gcc) and a
# clang build. Ends with one line "N passed, N failed" (totals over all builds) and exits
# non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || exit 1

# Everything the suites need is installed above: a missing browser or TypeScript is a
# failure here, not a skip.
export VIDGO_REQUIRE_BROWSER=1 VIDGO_REQUIRE_NODE_TYPES=1

# A throwaway PostgreSQL server for the PostgreSQL runs of the conformance suite and the
# wallet tests, stopped on exit. Without one those tests skip (CI sets VIDGO_REQUIRE_PG=1,
# which makes them fail instead).
if [ -z "${VIDGO_TEST_PG_URL:-}" ]; then
    pg_dir=$(mktemp -d /tmp/vidgo-test-pg-XXXXXX)
    trap 'scripts/pg-cluster.sh stop "$pg_dir"' EXIT
    if VIDGO_TEST_PG_URL=$(scripts/pg-cluster.sh start "$pg_dir"); then
        export VIDGO_TEST_PG_URL
        echo "PostgreSQL for the tests: $VIDGO_TEST_PG_URL"
    else
        echo "no PostgreSQL server could be started: its tests will skip" \
            "(see $pg_dir/*.log)"
        unset VIDGO_TEST_PG_URL
    fi
fi

BUILDS=(build build-asan build-clang)
declare -A SETUP_ARGS=(
    [build]=""
    [build-asan]="-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug"
    [build-clang]="--native-file scripts/clang.ini"
)
passed=0
failed=0
skipped=0

for dir in "${BUILDS[@]}"; do
    echo "=== $dir ==="
    # shellcheck disable=SC2086
    if { [ -f "$dir/build.ninja" ] || meson setup "$dir" ${SETUP_ARGS[$dir]} >/dev/null; } &&
        ninja -C "$dir" >"$dir.build.log" 2>&1; then
        rm -f "$dir/meson-logs/testlog.json"
        meson test -C "$dir" --print-errorlogs --num-processes 2
        counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = skip = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    result = json.loads(line)["result"]
    if result in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif result == "SKIP":
        skip += 1
    else:
        bad += 1
print(ok, bad if lines else 1, skip)
PY
        )
        read -r p f s <<<"$counts"
        passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    else
        grep -E "error|warning" "$dir.build.log" 2>/dev/null | head -20
        echo "$dir: the build failed (see $dir.build.log)"
        failed=$((failed + 1))
    fi
done

if [ "${VIDGO_REQUIRE_PG:-}" = 1 ] && ! build/tools/vidgo version --json 2>/dev/null | grep -q postgresql; then
    echo "VIDGO_REQUIRE_PG=1 but the PostgreSQL backend was not built (is libpq-dev installed?)"
    failed=$((failed + 1))
fi
if [ ! -f build/bindings/node/vidgo.node ]; then
    echo "the Node.js addon was not built (are Node's headers in /usr/include/node?)"
    failed=$((failed + 1))
fi
[ "$skipped" -gt 0 ] && echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
