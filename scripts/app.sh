#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts the VidGo Streamlit app (examples/streamlit) on this checkout's library: installs
# streamlit and cffi when missing, builds libvidgo in ./build, then runs `streamlit run`.
# Offline by default (local providers, payments sandbox); the store is $VIDGO_DB, else
# ./vidgo-app.db. Extra arguments go to streamlit (e.g. --server.port 8600).
set -euo pipefail
cd "$(dirname "$0")/.."

py=${PYTHON:-python3}
for entry in streamlit cffi; do
    if ! "$py" -c "import $entry" 2>/dev/null; then
        echo "installing Python package: $entry"
        "$py" -m pip install -q "$entry" 2>/dev/null ||
            "$py" -m pip install -q --break-system-packages "$entry"
    fi
done

build=${VIDGO_BUILD:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null

export VIDGO_LIBRARY="$(cd "$build" && pwd)/lib/libvidgo.so.0"
export VIDGO_INCLUDE_DIR="$PWD/include"
export PYTHONPATH="$PWD/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
export VIDGO_PROVIDER_MODE=${VIDGO_PROVIDER_MODE:-local}
exec "$py" -m streamlit run examples/streamlit/app.py --browser.gatherUsageStats false "$@"
