// SPDX-License-Identifier: MIT
// The meson test `node`: runs every `node --test` file of the binding and of the example
// server in one `node --test` run; exits 77 (meson's SKIP) with the reason when the build
// cannot host the addon ($VIDGO_TEST_SKIP_NODE).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

if (process.env.VIDGO_TEST_SKIP_NODE) {
  console.log(`SKIP: ${process.env.VIDGO_TEST_SKIP_NODE}`);
  process.exit(77);
}

const root = path.resolve(__dirname, '..', '..', '..');
const dirs = [path.join(root, 'bindings', 'node', 'test'), path.join(root, 'examples', 'node', 'test')];
const files = dirs.filter((dir) => fs.existsSync(dir)).flatMap((dir) =>
  fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f)));

const result = spawnSync(process.execPath, ['--test', '--expose-gc', ...files], { stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
