// SPDX-License-Identifier: MIT
// The TypeScript declarations (index.d.ts, types/*.d.ts) against the package: a sample
// program over every API group compiles with `tsc --strict`, and the declarations cannot
// drift from the runtime — every class they declare is exported with each declared
// method, getter and property, every public method and getter of the runtime classes is
// declared, and the package's exports are the declared ones.
//
// TypeScript 5 and @types/node live in bindings/node/node_modules (scripts/install-deps.sh
// installs them). Without them these tests skip, or fail when VIDGO_REQUIRE_NODE_TYPES=1.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./helpers');
const { vidgo } = h;

const PACKAGE = path.resolve(__dirname, '..');
const TYPES = path.join(PACKAGE, 'types');
const COMPILER_OPTIONS = ['--strict', '--noEmit', '--target', 'es2022', '--module', 'commonjs',
  '--moduleResolution', 'node10', '--types', 'node'];

// The TypeScript compiler module, or the reason it cannot be used.
function loadTypeScript() {
  const missing = [];
  let ts = null;
  try {
    ts = require(require.resolve('typescript', { paths: [PACKAGE] }));
    if (!/^5\./.test(ts.version)) missing.push(`TypeScript 5 (found ${ts.version})`);
  } catch {
    missing.push('typescript@5');
  }
  if (!fs.existsSync(path.join(PACKAGE, 'node_modules', '@types', 'node', 'package.json'))) {
    missing.push('@types/node@20');
  }
  if (missing.length === 0) return { ts };
  return {
    reason: `${missing.join(' and ')} not installed in ${path.join(PACKAGE, 'node_modules')} ` +
      '(scripts/install-deps.sh installs them: npm install --no-save --no-package-lock ' +
      '--prefix bindings/node typescript@5 @types/node@20)',
  };
}

const { ts, reason } = loadTypeScript();
const REQUIRED = process.env.VIDGO_REQUIRE_NODE_TYPES === '1';
// Skips without TypeScript, unless it is required: then each test fails with the reason.
const options = { skip: !ts && !REQUIRED && reason };

function requireTypeScript() {
  assert.ok(ts, `VIDGO_REQUIRE_NODE_TYPES=1 but ${reason}`);
}

test('a program over every API group compiles with tsc --strict', options, () => {
  requireTypeScript();
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json',
    { paths: [PACKAGE] })), 'bin', 'tsc');
  const sample = path.join(__dirname, 'types-check.ts');
  try {
    execFileSync(process.execPath, [tsc, ...COMPILER_OPTIONS, sample],
      { cwd: PACKAGE, env: h.plainEnv(), encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    assert.fail(`tsc found errors:\n${err.stdout}${err.stderr}`);
  }
});

// ---- the declarations against the runtime ---------------------------------------------------

// The program of index.d.ts: its type checker, the source files of the package's
// declarations (`ours`: index.d.ts and types/*.d.ts), and index.d.ts's own (`index`).
function declarations() {
  const indexFile = path.join(PACKAGE, 'index.d.ts');
  const program = ts.createProgram([indexFile], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, types: ['node'],
  });
  const ours = program.getSourceFiles().filter((file) => {
    const name = path.resolve(file.fileName);
    return name === indexFile || path.dirname(name) === TYPES;
  });
  assert.equal(ours.length, 1 + fs.readdirSync(TYPES).filter((f) => f.endsWith('.d.ts')).length,
    'index.d.ts does not reach every file of types/');
  const index = ours.find((file) => path.resolve(file.fileName) === indexFile);
  return { checker: program.getTypeChecker(), ours, index };
}

// A member's kind: 'method', 'getter' or 'property'; null for what is not public, or is
// optional (an optional member need not exist), or has a symbol for a name.
function memberKind(symbol) {
  if (symbol.name.startsWith('__@')) return null;
  const decl = symbol.declarations && symbol.declarations[0];
  if (!decl) return null;
  const flags = ts.getCombinedModifierFlags(decl);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return null;
  if (symbol.flags & ts.SymbolFlags.Optional) return null;
  if (symbol.flags & ts.SymbolFlags.Method) return 'method';
  if (symbol.flags & ts.SymbolFlags.GetAccessor) return 'getter';
  if (symbol.flags & ts.SymbolFlags.Property) return 'property';
  return null;
}

// The members of a type that the package's declaration files declare: name -> kind.
function declaredMembers(type, ours) {
  const files = new Set(ours.map((f) => f.fileName));
  const members = new Map();
  for (const symbol of type.getProperties()) {
    const decls = symbol.declarations || [];
    if (!decls.some((d) => files.has(d.getSourceFile().fileName))) continue;
    const kind = memberKind(symbol);
    if (kind) members.set(symbol.name, kind);
  }
  return members;
}

// Where the walk up a runtime class's prototypes stops: what the package did not write.
const FOREIGN = new Set([Object.prototype, Function.prototype, Error.prototype, Error,
  EventEmitter.prototype, EventEmitter]);

// The public (not _-prefixed) methods and getters the package's code defines on an object's
// prototype chain (a prototype, or a constructor for the statics): name -> kind.
function runtimeMembers(object) {
  const members = new Map();
  for (let o = object; o && !FOREIGN.has(o); o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name.startsWith('_') || name === 'constructor' || members.has(name)) continue;
      if (['length', 'name', 'prototype'].includes(name) && typeof o === 'function') continue;
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (d.get) members.set(name, 'getter');
      else if (typeof d.value === 'function') members.set(name, 'method');
    }
  }
  return members;
}

// One instance of each class the declarations name, made through the public API (errors:
// as the library raises them). A class without one fails the test: add it here.
async function instances(t) {
  const engine = await h.openEngine(t);
  const cache = await engine.cache.open();
  t.after(() => cache.close());
  const { flight } = await cache.begin('image_512', 'a red sneaker');
  t.after(() => flight.fail());
  const generator = await engine.generator();
  t.after(() => generator.close());
  const embedder = engine.cache.localEmbedder(8);
  t.after(() => embedder.close());
  const worker = await engine.jobs.worker();
  t.after(() => worker.close());
  const made = {
    Engine: engine, Accounts: engine.accounts, Users: engine.users, Plans: engine.plans,
    Credits: engine.credits, CacheAPI: engine.cache, Cache: cache, Embedder: embedder,
    Flight: flight, Providers: engine.providers, Jobs: engine.jobs, Generator: generator,
    Worker: worker, Gallery: engine.gallery, Payments: engine.payments,
  };
  for (const { errno } of vidgo.errors.allCodes().slice(1)) {
    const err = vidgo.errors.makeError(errno, 'a message', 3, 'en');
    made[err.name] ??= err;
  }
  return (name) => {
    if (made[name]) return made[name];
    const Class = vidgo[name];
    if (Class === vidgo.VidgoError || (Class && Class.prototype instanceof vidgo.VidgoError)) {
      return new Class('a message'); // a domain's base class: no status code of its own
    }
    return undefined;
  };
}

test('every declared class is exported, with its members, and declares the runtime ones',
  options, async (t) => {
    requireTypeScript();
    const { checker, ours } = declarations();
    const instanceOf = await instances(t);
    const problems = [];
    let classes = 0;
    for (const file of ours) {
      for (const statement of file.statements) {
        if (!ts.isClassDeclaration(statement) || !statement.name) continue;
        const name = statement.name.text;
        classes++;
        const Class = vidgo[name];
        if (typeof Class !== 'function') {
          problems.push(`${name}: declared in ${path.basename(file.fileName)}, not exported`);
          continue;
        }
        const symbol = checker.getSymbolAtLocation(statement.name);
        const instanceType = checker.getDeclaredTypeOfSymbol(symbol);
        const staticType = checker.getTypeOfSymbolAtLocation(symbol, statement);
        const instance = instanceOf(name);
        if (!instance) problems.push(`${name}: no instance to check (add one to instances())`);

        // Declared → runtime.
        for (const [member, kind] of declaredMembers(instanceType, ours)) {
          const where = `${name}#${member}`;
          if (kind === 'method' && typeof Class.prototype[member] !== 'function') {
            problems.push(`${where}: declared as a method, not one at runtime`);
          } else if (kind !== 'method' && instance && !(member in instance)) {
            problems.push(`${where}: declared, missing at runtime`);
          }
        }
        for (const [member, kind] of declaredMembers(staticType, ours)) {
          if (member === 'prototype') continue;
          if (kind === 'method' ? typeof Class[member] !== 'function' : !(member in Class)) {
            problems.push(`${name}.${member}: declared static ${kind}, missing at runtime`);
          }
        }

        // Runtime → declared.
        for (const [member, kind] of runtimeMembers(Class.prototype)) {
          const declared = instanceType.getProperty(member);
          const declaredKind = declared && memberKind(declared);
          if (!declared) problems.push(`${name}#${member}: a runtime ${kind}, not declared`);
          else if ((kind === 'method') !== (declaredKind === 'method')) {
            problems.push(`${name}#${member}: a runtime ${kind}, declared as a ${declaredKind}`);
          }
        }
        for (const [member, kind] of runtimeMembers(Class)) {
          if (!staticType.getProperty(member)) {
            problems.push(`${name}.${member}: a runtime static ${kind}, not declared`);
          }
        }
      }
    }
    assert.ok(classes >= 15, `only ${classes} classes declared`);
    assert.deepEqual(problems, []);
  });

test("the package's exports are the declared values", options, () => {
  requireTypeScript();
  const { checker, index } = declarations();
  const declared = new Set();
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(index))) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (target.flags & ts.SymbolFlags.Value) declared.add(symbol.name);
  }
  const runtime = new Set(Object.keys(vidgo));
  assert.deepEqual([...runtime].filter((name) => !declared.has(name)), [],
    'exported by the package, not declared');
  assert.deepEqual([...declared].filter((name) => !runtime.has(name)), [],
    'declared, not exported by the package');
});
