#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what building and testing libvidgo needs and is missing: Debian packages via apt,
# Python packages via pip, Node packages via npm. Safe to run again; installs nothing that
# is already there.
set -euo pipefail

DEBIAN_PACKAGES=(
    meson ninja-build pkg-config gcc g++ python3
    libcurl4-openssl-dev openssl libcjson-dev libsqlite3-dev libsodium-dev libutf8proc-dev
    libcmocka-dev libpq-dev postgresql clang
    chromium chromium-driver fonts-noto-cjk
)
PYTHON_PACKAGES=(pytest aiosmtpd PIL:pillow cffi streamlit selenium)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

py=$(command -v python3)
for entry in "${PYTHON_PACKAGES[@]}"; do
    module=${entry%%:*} pkg=${entry#*:} # "module:package" when the two names differ
    if ! "$py" -c "import $module" 2>/dev/null; then
        echo "installing Python package: $pkg"
        "$py" -m pip install -q "$pkg" 2>/dev/null ||
            "$py" -m pip install -q --break-system-packages "$pkg"
    fi
done

# Node.js with its headers (the addon) and npm: Debian's, unless a Node is already there.
if ! command -v node >/dev/null || ! command -v npm >/dev/null ||
    [ ! -f /usr/include/node/node_api.h ]; then
    echo "installing Debian packages: nodejs npm libnode-dev"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        nodejs npm libnode-dev >/dev/null
fi

# Node packages for the Node binding's tests (the TypeScript check of its declarations),
# into bindings/node/node_modules and not saved in its package.json. One npm command installs
# them all: an npm install with --no-save removes what an earlier one added.
NODE_PACKAGES=(typescript@5 @types/node@20)
node_dir="$(dirname "$0")/../bindings/node"
for entry in "${NODE_PACKAGES[@]}"; do
    if [ ! -d "$node_dir/node_modules/${entry%@*}" ]; then # "name@version"
        echo "installing Node packages: ${NODE_PACKAGES[*]}"
        npm install --no-save --no-package-lock --prefix "$node_dir" "${NODE_PACKAGES[@]}" >/dev/null
        break
    fi
done
