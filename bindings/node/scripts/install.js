// SPDX-License-Identifier: MIT
// `npm install` of the package: uses an addon meson already built (this checkout's build/,
// or $VIDGO_NODE_ADDON / $VIDGO_BUILD_DIR), else builds one with the node-gyp that ships
// with npm, against Node's own installed headers (never downloaded) and the installed or
// built libvidgo (scripts/libvidgo-flags.js).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const prebuilt = [
  process.env.VIDGO_NODE_ADDON,
  process.env.VIDGO_BUILD_DIR && path.join(process.env.VIDGO_BUILD_DIR, 'bindings', 'node', 'vidgo.node'),
  path.resolve(root, '..', '..', 'build', 'bindings', 'node', 'vidgo.node'),
].filter(Boolean);

const found = prebuilt.find((file) => fs.existsSync(file));
if (found && !process.env.VIDGO_NODE_REBUILD) {
  console.log(`vidgo: using the addon built by meson: ${found}`);
  process.exit(0);
}

function nodeGyp() {
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    process.env.npm_config_node_gyp,
  ].filter(Boolean);
  return candidates.find((file) => fs.existsSync(file));
}

const gyp = nodeGyp();
if (!gyp) {
  console.error('vidgo: no addon and no node-gyp to build one; build libvidgo with meson (ninja -C build)');
  process.exit(1);
}
const nodedir = path.resolve(path.dirname(process.execPath), '..');
if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
  console.error(`vidgo: Node's headers are not in ${nodedir}/include/node`);
  process.exit(1);
}
const result = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { cwd: root, stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
