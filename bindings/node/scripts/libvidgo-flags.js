// SPDX-License-Identifier: MIT
// Prints where libvidgo's headers are ("include") or how to link it ("libs"), for
// binding.gyp: $VIDGO_INCLUDE_DIR / $VIDGO_LIB_DIR, else pkg-config's `vidgo`, else the
// checkout this package sits in (include/ and a meson build in build/).
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

const checkout = path.resolve(__dirname, '..', '..', '..');

function pkgConfig(flag) {
  try {
    return execFileSync('pkg-config', [flag, 'vidgo'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function include() {
  if (process.env.VIDGO_INCLUDE_DIR) return process.env.VIDGO_INCLUDE_DIR;
  const flags = pkgConfig('--cflags-only-I');
  if (flags !== null) return flags.split(/\s+/).filter(Boolean).map((f) => f.slice(2)).join(' ') || '/usr/include';
  return path.join(checkout, 'include');
}

function libs() {
  let dir = process.env.VIDGO_LIB_DIR;
  if (!dir) {
    const found = pkgConfig('--variable=libdir');
    dir = found || path.join(checkout, 'build', 'lib');
  }
  return `-L${dir} -Wl,-rpath,${dir} -lvidgo`;
}

process.stdout.write(process.argv[2] === 'include' ? include() : libs());
