// SPDX-License-Identifier: MIT
// `npm install` of the package into a project of its own: with no addon built by meson to
// use, scripts/install.js builds one with the node-gyp that ships with npm, offline,
// against Node's installed headers and the library of this build; the project then opens
// an engine through it.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./helpers');

const root = path.resolve(__dirname, '..');
const checkout = path.resolve(root, '..', '..');
// The meson build the tests run against: its addon is $VIDGO_NODE_ADDON.
const buildDir = process.env.VIDGO_NODE_ADDON ?
  path.resolve(path.dirname(process.env.VIDGO_NODE_ADDON), '..', '..') : path.join(checkout, 'build');

const skip = process.env.VIDGO_TEST_SANITIZED ?
  'a node-gyp build links the sanitized library without the sanitizer' :
  !fs.existsSync(path.join(buildDir, 'lib', 'libvidgo.so')) && 'no libvidgo.so built';

test('npm install builds the addon offline and the package works', { skip, timeout: 240000 }, () => {
  const dir = h.tempDir('vidgo-npm-');
  const pkg = path.join(dir, 'vidgo');
  fs.cpSync(root, pkg, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|build)$/.test(src),
  });
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  const env = {
    ...process.env,
    VIDGO_NODE_ADDON: '', VIDGO_BUILD_DIR: '',
    VIDGO_INCLUDE_DIR: path.join(checkout, 'include'),
    VIDGO_LIB_DIR: path.join(buildDir, 'lib'),
    npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false',
  };
  execFileSync('npm', ['install', '--no-package-lock', pkg], { cwd: app, env, stdio: 'pipe' });
  assert.ok(fs.existsSync(path.join(pkg, 'build', 'Release', 'vidgo.node')), 'node-gyp made no addon');

  const script = `
    const vidgo = require('vidgo');
    const addon = Object.keys(require.cache).find((file) => file.endsWith('.node'));
    vidgo.open(${JSON.stringify(path.join(dir, 'x.db'))}).then(async (engine) => {
      const problems = await engine.check();
      engine.close();
      console.log(JSON.stringify({ addon, version: vidgo.version, problems }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: app, env, encoding: 'utf8' }));
  assert.equal(out.addon, path.join(fs.realpathSync(pkg), 'build', 'Release', 'vidgo.node'));
  assert.equal(out.version, h.vidgo.version);
  assert.deepEqual(out.problems, []);
});
