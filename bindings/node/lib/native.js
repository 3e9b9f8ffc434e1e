// SPDX-License-Identifier: MIT
// Loads the addon (vidgo.node), which links libvidgo. Looked for, in order: $VIDGO_NODE_ADDON,
// the package's own build (build/Release/vidgo.node, made by `npm install` with node-gyp),
// $VIDGO_BUILD_DIR/bindings/node/vidgo.node, and the meson build dir of the checkout the
// package sits in (build/bindings/node/vidgo.node).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function candidates() {
  const root = path.resolve(__dirname, '..');
  const list = [];
  if (process.env.VIDGO_NODE_ADDON) list.push(process.env.VIDGO_NODE_ADDON);
  list.push(path.join(root, 'build', 'Release', 'vidgo.node'));
  if (process.env.VIDGO_BUILD_DIR) {
    list.push(path.join(process.env.VIDGO_BUILD_DIR, 'bindings', 'node', 'vidgo.node'));
  }
  list.push(path.resolve(root, '..', '..', 'build', 'bindings', 'node', 'vidgo.node'));
  return list;
}

function load() {
  const tried = [];
  for (const file of candidates()) {
    if (!fs.existsSync(file)) {
      tried.push(`${file} (missing)`);
      continue;
    }
    return require(file);
  }
  throw new Error('vidgo: the native addon was not found; build it with meson (ninja -C build) ' +
                  'or `npm install` in bindings/node. Tried:\n  ' + tried.join('\n  '));
}

const addon = load();

// Closes and frees a handle whose object was collected unclosed. (A FinalizationRegistry,
// not a N-API finalizer: see register_for_finalization in src/vgn_handle.c.) At process
// exit nothing is collected: the operating system takes back what is left.
const handles = new FinalizationRegistry((external) => addon.handle_finalize(external));
addon.setHandleRegistry((object, external) => handles.register(object, external));

module.exports = addon;
