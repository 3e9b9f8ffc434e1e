#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, step 1: install what is missing, build libvidgo, run the main job (`vidgo demo`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
build/tools/vidgo demo "$@"
