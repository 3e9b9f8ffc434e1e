// SPDX-License-Identifier: MIT
// The loopback provider fakes of tests/fakes/ (the ones the C and Python tests use), run in
// a Python child process and driven from a test: start them, script faults and delays,
// read what they received, stop them. Not a test file itself.
//
//   const fakes = await Fakes.start({ leonardo: KEY, gemini: KEY2 });
//   fakes.url.leonardo                          // its base URL
//   await fakes.call('leonardo', 'fault', 'poll', '429', 1);
//   await fakes.set('leonardo', 'delays', { poll: 1.5 });   // seconds, per endpoint
//   await fakes.requests('leonardo')            // [{ method, path }]
//   await fakes.stop();
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const { plainEnv } = require('./helpers');

const FAKES_DIR = path.resolve(__dirname, '..', '..', '..', 'tests', 'fakes');

// The Python side: one fake per name, commands on stdin, answers on stdout (JSON lines).
const SCRIPT = String.raw`
import json, sys, time
sys.path.insert(0, sys.argv[1])
from fake_gemini import FakeGemini
from fake_goenhance import FakeGoEnhance
from fake_leonardo import FakeLeonardo
from fake_pollo import FakePollo
from fake_runway import FakeRunway


class Leonardo(FakeLeonardo):
    """The Leonardo fake, with 'delays': seconds each endpoint's answer is held back."""

    def reset(self, polls_to_complete=2):
        super().reset(polls_to_complete)
        self.delays = {}

    def _handle(self, r):
        name, _ = self._route(r)
        delay = self.delays.get(name)
        if delay:
            time.sleep(delay)
        return super()._handle(r)


CLASSES = {"leonardo": Leonardo, "gemini": FakeGemini, "runway": FakeRunway,
           "goenhance": FakeGoEnhance, "pollo": FakePollo}


def plain(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


def request_row(r):
    if isinstance(r, dict):
        return {"method": r["method"], "path": r["path"]}
    return {"method": r.method, "path": r.path}


keys = json.loads(sys.argv[2])
fakes = {name: CLASSES[name](key).start() for name, key in keys.items()}
print(json.dumps({name: f.base_url.rstrip("/") for name, f in fakes.items()}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    out = {"id": msg["id"]}
    try:
        fake = fakes[msg["fake"]]
        if msg["op"] == "call":
            out["value"] = plain(getattr(fake, msg["name"])(*msg["args"]))
        elif msg["op"] == "set":
            with getattr(fake, "lock"):
                setattr(fake, msg["name"], msg["value"])
        elif msg["op"] == "get":
            out["value"] = plain(getattr(fake, msg["name"]))
        elif msg["op"] == "clear":
            with getattr(fake, "lock"):
                del getattr(fake, msg["name"])[:]
        elif msg["op"] == "requests":
            out["value"] = [request_row(r) for r in list(fake.requests)]
    except Exception as e:  # the test sees it as a rejection
        out["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(out), flush=True)
for f in fakes.values():
    f.stop()
`;

class Fakes {
  constructor(child, url) {
    this._child = child;
    this._pending = new Map();
    this._next = 1;
    this.url = url;
  }

  /**
   * Starts the named fakes, each expecting its key: { leonardo: 'key', gemini: 'key2' }.
   * @returns {Promise<Fakes>}
   */
  static start(keys) {
    const child = spawn(process.env.VIDGO_TEST_PYTHON || 'python3',
                        ['-c', SCRIPT, FAKES_DIR, JSON.stringify(keys)],
                        { stdio: ['pipe', 'pipe', 'inherit'], env: plainEnv() });
    const lines = readline.createInterface({ input: child.stdout });
    return new Promise((resolve, reject) => {
      let fakes = null;
      child.once('error', reject);
      child.once('exit', (code) => {
        const err = new Error(`the fakes' process ended (exit ${code})`);
        if (!fakes) reject(err);
        else for (const { reject: fail } of fakes._pending.values()) fail(err);
      });
      lines.on('line', (line) => {
        const msg = JSON.parse(line);
        if (!fakes) {
          fakes = new Fakes(child, msg);
          resolve(fakes);
          return;
        }
        const waiter = fakes._pending.get(msg.id);
        fakes._pending.delete(msg.id);
        if (msg.error) waiter.reject(new Error(msg.error));
        else waiter.resolve(msg.value);
      });
    });
  }

  _send(message) {
    const id = this._next++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      this._child.stdin.write(JSON.stringify({ id, ...message }) + '\n');
    });
  }

  /** Calls a method of a fake (fault, reset, add_job, ...); resolves to its result. */
  call(fake, name, ...args) { return this._send({ op: 'call', fake, name, args }); }

  /** Sets an attribute of a fake (mode, delays, job_mode, ...) under its lock. */
  set(fake, name, value) { return this._send({ op: 'set', fake, name, value }); }

  /** Reads an attribute of a fake (violations, ...). */
  get(fake, name) { return this._send({ op: 'get', fake, name }); }

  /** The requests a fake received: [{ method, path }]. */
  requests(fake) { return this._send({ op: 'requests', fake }); }

  /** Resets every fake (no jobs, faults, delays or requests) and Gemini's mode. */
  async resetAll() {
    for (const name of Object.keys(this.url)) {
      if (name === 'gemini') {
        await this.set('gemini', 'mode', 'ok');
        await this._send({ op: 'clear', fake: 'gemini', name: 'requests' });
      } else {
        await this.call(name, 'reset');
      }
    }
  }

  /** Stops the fakes and their process. */
  stop() {
    return new Promise((resolve) => {
      if (this._child.exitCode !== null) {
        resolve();
        return;
      }
      this._child.once('exit', () => resolve());
      this._child.stdin.end();
      setTimeout(() => this._child.kill('SIGKILL'), 5000).unref();
    });
  }
}

module.exports = { Fakes, FAKES_DIR };
