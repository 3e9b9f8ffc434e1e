#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A small JSON API on Node's own `http` module that embeds VidGo through the `vidgo` binding:
// sign-up with an e-mailed code, sign-in, the balance, and generation jobs that a worker in
// this process runs. `node examples/node/server.js --help` says how to start it; the tests
// use createServer().
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { fileURLToPath } = require('node:url');
const { parseArgs } = require('node:util');

const vidgo = require('../../bindings/node');

const MAX_BODY_BYTES = 64 * 1024;
const DEV_CODE_WAIT_MS = 5000;    // how long /signup waits for the e-mail it caused
const SHUTDOWN_GRACE_MS = 10000;  // requests still running then are cut off
const DEFAULT_SERVICE = 'image_1024'; // one a new (demo) account can use offline

// ---- errors -------------------------------------------------------------------------------

/** A failure of the HTTP layer itself (bad JSON, unknown route, ...), not of VidGo. */
class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

// How a VidGo failure becomes an HTTP status: the first row whose class the error is an
// instance of, so subclasses come before their bases.
const ERROR_STATUS = [
  ['RateLimited', 429],          // with Retry-After
  ['InsufficientCredits', 402],
  ['DemoUsedUp', 402],           // the demo's free uses are spent: buy credits
  ['AuthFailed', 401],           // unknown address or wrong password, alike
  ['TokenError', 401],           // TokenInvalid, TokenExpired, TokenRevoked
  ['NotVerified', 403],
  ['AccountDisabled', 403],
  ['AccessDenied', 403],         // PlanTooLow, SubscribersOnly, ResolutionNotAllowed, ...
  ['EmailTaken', 409],
  ['AlreadyExists', 409],
  ['InvalidState', 409],         // e.g. verifying an address twice
  ['IdempotencyConflict', 409],
  ['VerificationFailed', 400],   // CodeInvalid, CodeExpired, CodeExhausted
  ['EmailInvalid', 400],
  ['PasswordPolicy', 400],
  ['InvalidPrompt', 400],        // PromptEmpty, PromptTooLong
  ['ServiceUnknown', 400],       // the request named no such service
  ['InputAssetError', 400],
  ['InvalidArgument', 400],
  ['NotFound', 404],
  ['StoreBusy', 503],
  ['ClosedError', 503],          // the server is shutting down
  ['Timeout', 504],
  ['EmailSendError', 502],
  ['ProviderError', 502],
].map(([name, status]) => {
  if (typeof vidgo[name] !== 'function') throw new Error(`vidgo has no error class ${name}`);
  return [vidgo[name], status];
});

// Node's own argument errors, which the binding throws for values of the wrong type.
const ARG_ERROR_CODES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE',
                                 'ERR_OUT_OF_RANGE']);

const NOT_FOUND_ERRNO = vidgo.errors.allCodes().find((c) => c.code === 'VG_ENOTFOUND').errno;

/** The HTTP status, headers and JSON body that answer an error. */
function errorReply(err, lang) {
  if (err instanceof HttpError) {
    return [err.status, { error: err.code, message: err.message }, err.headers];
  }
  if (err instanceof vidgo.VidgoError) {
    const row = ERROR_STATUS.find(([Class]) => err instanceof Class);
    const status = row ? row[1] : 500;
    const message = lang && err.errno < 0 ? vidgo.strerror(err.errno, lang) : err.userMessage;
    const body = { error: err.code, message };
    const headers = {};
    if (err instanceof vidgo.RateLimited && err.retryAfter > 0) {
      headers['Retry-After'] = String(Math.ceil(err.retryAfter));
      body.retryAfter = Math.ceil(err.retryAfter);
    }
    if (err instanceof vidgo.TokenError) {
      headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    }
    return [status, body, headers];
  }
  if (ARG_ERROR_CODES.has(err && err.code)) {
    return [400, { error: 'ERR_INVALID_FIELD', message: err.message }, {}];
  }
  return [500, { error: 'ERR_INTERNAL', message: 'Something went wrong on our side.' }, {}];
}

// ---- request bodies -----------------------------------------------------------------------

// What a body field may hold, by the type named in a route's field list.
const FIELD_TYPES = {
  string: (v) => typeof v === 'string',
  resolution: (v) => (typeof v === 'string' && RESOLUTION_TEXT.test(v)) ||
                     (Number.isInteger(v) && v > 0),
};
const RESOLUTION_TEXT = /^(\d{3,4})p?$|^4k$/i;

function badField(name, problem) {
  return new HttpError(400, 'ERR_INVALID_FIELD', `"${name}" ${problem}`);
}

/** Reads the fields of a JSON body by a list { name: 'string' | 'string?' | ... }. */
function readFields(body, spec) {
  const out = {};
  for (const [name, type] of Object.entries(spec)) {
    const optional = type.endsWith('?');
    const base = optional ? type.slice(0, -1) : type;
    const value = body[name];
    if (value === undefined || value === null) {
      if (!optional) throw badField(name, 'is required');
      continue;
    }
    if (!FIELD_TYPES[base](value)) throw badField(name, `must be a ${base}`);
    out[name] = value;
  }
  return out;
}

/** Lines of output of a resolution given as 720, "1080p" or "4k". */
function resolutionLines(value) {
  if (typeof value === 'number') return value;
  return /^4k$/i.test(value) ? 2160 : parseInt(value, 10);
}

/** Reads a request's JSON body: an object, at most MAX_BODY_BYTES. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'];
    if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
      reject(new HttpError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE',
                           'Send the body as application/json.'));
      req.resume();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'ERR_BODY_TOO_LARGE', `The body is over ${MAX_BODY_BYTES} bytes.`,
                             { Connection: 'close' }));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return reject(new HttpError(400, 'ERR_BAD_JSON', 'The body is not valid JSON.'));
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return reject(new HttpError(400, 'ERR_BAD_JSON', 'The body must be a JSON object.'));
      }
      resolve(body);
    });
  });
}

/** The first language of Accept-Language that VidGo speaks, or undefined. */
function requestLang(req) {
  const header = req.headers['accept-language'];
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const tag = part.split(';')[0].trim();
    const index = tag && tag !== '*' ? vidgo.langIndex(tag) : -1;
    if (index >= 0) return vidgo.langs[index];
  }
  return undefined;
}

// ---- the dev-mode outbox ------------------------------------------------------------------

/**
 * Catches the library's e-mail in dev mode (no SMTP server): keeps the newest verification
 * code of each address until /signup or /resend hands it out, so the demo works offline.
 */
class DevOutbox {
  constructor(limit = 1000) {
    this._codes = new Map();    // address → code
    this._waiters = new Map();  // address → [resolve]
    this._limit = limit;
  }

  /** The engine's onEmail callback. */
  deliver(mail) {
    if (mail.kind !== 'verify') return;
    const match = /\b(\d{6})\b/.exec(mail.text);
    if (!match) return;
    const address = normalize(mail.to);
    const waiters = this._waiters.get(address);
    if (waiters) {
      this._waiters.delete(address);
      for (const resolve of waiters) resolve(match[1]);
      return;
    }
    if (this._codes.size >= this._limit) this._codes.delete(this._codes.keys().next().value);
    this._codes.set(address, match[1]);
  }

  /** Drops what is kept for an address (before asking for a new code). */
  forget(address) {
    this._codes.delete(normalize(address));
  }

  /** Resolves to the code e-mailed to an address, or null after timeoutMs. */
  take(address, timeoutMs = DEV_CODE_WAIT_MS) {
    const key = normalize(address);
    const code = this._codes.get(key);
    if (code) {
      this._codes.delete(key);
      return Promise.resolve(code);
    }
    return new Promise((resolve) => {
      const list = this._waiters.get(key) || [];
      const waiter = (value) => { clearTimeout(timer); resolve(value); };
      const timer = setTimeout(() => {
        const rest = (this._waiters.get(key) || []).filter((w) => w !== waiter);
        if (rest.length) this._waiters.set(key, rest); else this._waiters.delete(key);
        resolve(null);
      }, timeoutMs);
      timer.unref();
      list.push(waiter);
      this._waiters.set(key, list);
    });
  }
}

function normalize(address) {
  return String(address).trim().toLowerCase();
}

// ---- what a client sees of a job ------------------------------------------------------------

// The fields of a job a client may see; internal ones (provider, cost, support detail) stay out.
const JOB_FIELDS = ['id', 'state', 'final', 'percent', 'service', 'kind', 'prompt', 'lang',
  'resolution', 'durationS', 'price', 'freeUse', 'charged', 'watermark', 'cacheHit',
  'mediaType', 'resultUrl', 'thumbnailUrl', 'width', 'height', 'resultDurationS',
  'placeholder', 'message', 'createdAt', 'updatedAt', 'finishedAt'];

function jobView(job) {
  const view = {};
  for (const name of JOB_FIELDS) view[name] = job[name];
  view.error = job.errorKey || null;
  if (job.state === 'succeeded' && job.resultUrl) view.resultPath = `/jobs/${job.id}/result`;
  return view;
}

// Content types of the files the local providers write.
const MEDIA_TYPES = {
  '.png': 'image/png', '.gif': 'image/gif', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.webp': 'image/webp', '.mp4': 'video/mp4', '.webm': 'video/webm', '.json': 'application/json',
};

// ---- the application ----------------------------------------------------------------------

class App {
  constructor(engine, config, outbox, log) {
    this.engine = engine;
    this.config = config;
    this.outbox = outbox;
    this.log = log;
    this.closing = false;
    this.worker = null;
    // [method, path pattern, handler, needs a signed-in user]
    this.routes = [
      ['GET', /^\/healthz$/, this.healthz, false],
      ['POST', /^\/signup$/, this.signup, false],
      ['POST', /^\/resend$/, this.resend, false],
      ['POST', /^\/verify$/, this.verify, false],
      ['POST', /^\/signin$/, this.signin, false],
      ['GET', /^\/balance$/, this.balance, true],
      ['POST', /^\/generate$/, this.generate, true],
      ['GET', /^\/jobs\/([1-9]\d{0,15})$/, this.job, true],
      ['GET', /^\/jobs\/([1-9]\d{0,15})\/result$/, this.result, true],
    ];
  }

  /** The http server's request listener. */
  handle(req, res) {
    const started = process.hrtime.bigint();
    const pathname = (req.url || '/').split('?')[0];
    const lang = requestLang(req);
    let code = null;
    this.dispatch(req, res, pathname, lang)
      .catch((err) => {
        const [status, body, headers] = errorReply(err, lang);
        code = body.error;
        if (status >= 500 && !(err instanceof vidgo.VidgoError)) {
          this.log('error', 'unexpected failure', { path: pathname.slice(0, 200),
                                                    stack: err && err.stack });
        }
        if (!res.headersSent) send(res, status, body, headers);
        else res.destroy();
      })
      .finally(() => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Only the method, the path without its query, the status and the error code:
        // never headers (tokens) or bodies (passwords, codes).
        this.log('info', 'request', { method: req.method, path: pathname.slice(0, 200),
                                      status: res.statusCode, ms: Math.round(ms * 10) / 10,
                                      ...(code ? { error: code } : {}) });
      });
  }

  async dispatch(req, res, pathname, lang) {
    if (this.closing) {
      res.setHeader('Connection', 'close');
      throw new HttpError(503, 'ERR_SHUTTING_DOWN', 'The server is shutting down.');
    }
    const matches = this.routes.filter(([, pattern]) => pattern.test(pathname));
    if (matches.length === 0) {
      throw new HttpError(404, 'ERR_NOT_FOUND', 'No such endpoint.');
    }
    const route = matches.find(([method]) => method === req.method);
    if (!route) {
      const allow = matches.map(([method]) => method).join(', ');
      throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `Use ${allow}.`, { Allow: allow });
    }
    const [, pattern, handler, auth] = route;
    const ctx = { req, res, lang, params: pattern.exec(pathname).slice(1), body: {} };
    if (auth) ctx.claims = await this.authenticate(req);
    if (req.method === 'POST') ctx.body = await readBody(req);
    const reply = await handler.call(this, ctx);
    if (reply) send(res, reply[0], reply[1], reply[2]);
  }

  /** The claims of the request's bearer token (the binding's session verify). */
  async authenticate(req) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization || '');
    if (!match) {
      throw new HttpError(401, 'ERR_UNAUTHENTICATED',
                          'Sign in and send "Authorization: Bearer <accessToken>".',
                          { 'WWW-Authenticate': 'Bearer' });
    }
    return this.engine.accounts.verifyToken(match[1]);
  }

  /** The rate-limit key of whoever asks: the client's address. */
  caller(req) {
    if (this.config.trustProxy) {
      const forwarded = req.headers['x-forwarded-for'];
      if (forwarded) return forwarded.split(',')[0].trim().slice(0, 64);
    }
    return req.socket.remoteAddress || undefined;
  }

  // --- handlers: each resolves to [status, body, headers?] -------------------------------

  async healthz() {
    const worker = this.worker !== null && this.worker.running;
    try {
      await this.engine.schemaVersion(); // the store answers
    } catch (err) {
      return [503, { status: 'unavailable', error: err.code || 'ERR_INTERNAL' }];
    }
    return [200, { status: 'ok', version: vidgo.version, store: this.engine.storeBackend,
                   worker }];
  }

  async signup({ req, body }) {
    const { email, password, lang } = readFields(body, { email: 'string', password: 'string',
                                                         lang: 'string?' });
    if (lang !== undefined && vidgo.langIndex(lang) < 0) {
      throw badField('lang', `must be one of ${vidgo.langs.join(', ')}`);
    }
    if (this.outbox) this.outbox.forget(email);
    const userId = await this.engine.accounts.register(email, password,
                                                       { lang, caller: this.caller(req) });
    const reply = { userId, verificationSent: true };
    await this.addDevCode(reply, email);
    return [201, reply];
  }

  async resend({ body }) {
    const { email } = readFields(body, { email: 'string' });
    if (this.outbox) this.outbox.forget(email);
    await this.engine.accounts.resend(email);
    const reply = { verificationSent: true }; // alike for unknown and verified addresses
    await this.addDevCode(reply, email, 500);
    return [202, reply];
  }

  // Dev mode: the code just e-mailed goes into the reply, so the demo works offline.
  async addDevCode(reply, email, waitMs = DEV_CODE_WAIT_MS) {
    if (!this.outbox) return;
    const code = await this.outbox.take(email, waitMs);
    if (code) reply.devCode = code;
  }

  async verify({ body }) {
    const { email, code } = readFields(body, { email: 'string', code: 'string' });
    await this.engine.accounts.verify(email, code);
    return [200, { verified: true }];
  }

  async signin({ req, body }) {
    const { email, password } = readFields(body, { email: 'string', password: 'string' });
    const session = await this.engine.accounts.login(email, password,
                                                     { caller: this.caller(req) });
    return [200, {
      userId: session.userId,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      accessExpiresAt: session.accessExpiresAt,
      refreshExpiresAt: session.refreshExpiresAt,
    }];
  }

  async balance({ claims }) {
    const [balance, user] = await Promise.all([this.engine.credits.balance(claims.userId),
                                               this.engine.users.get(claims.userId)]);
    return [200, { ...balance, plan: user.plan }];
  }

  async generate({ req, body, claims, lang }) {
    const fields = readFields(body, { prompt: 'string', service: 'string?',
                                      resolution: 'resolution?' });
    const service = await this.pickService(fields.service, fields.resolution);
    const job = await this.engine.jobs.submit(claims.userId, service, fields.prompt,
                                              { key: idempotencyKey(req), lang });
    const location = `/jobs/${job.id}`;
    return [202, { jobId: job.id, state: job.state, service, location }, { Location: location }];
  }

  // The service of a request: the one named, the one of a resolution (a video before an
  // image of the same lines), or DEFAULT_SERVICE.
  async pickService(name, resolution) {
    if (resolution === undefined) return name || this.config.defaultService;
    const lines = resolutionLines(resolution);
    if (name) {
      const service = await this.engine.plans.service(name);
      if (service.resolution !== lines) {
        throw badField('resolution', `does not match the service ${name} (${service.resolution})`);
      }
      return name;
    }
    const services = (await this.engine.plans.services())
      .filter((s) => s.active && !s.internal && s.resolution === lines &&
                     (s.kind === 'video' || s.kind === 'image'))
      .sort((a, b) => (a.kind === 'video' ? 0 : 1) - (b.kind === 'video' ? 0 : 1));
    if (services.length === 0) throw badField('resolution', `has no service (${lines})`);
    return services[0].name;
  }

  /** A job of the signed-in user; another user's is NotFound, as if it did not exist. */
  async ownJob(params, claims, lang) {
    const job = await this.engine.jobs.get(Number(params[0]));
    if (job.userId !== claims.userId) {
      throw new HttpError(404, 'VG_ENOTFOUND',
                          vidgo.strerror(NOT_FOUND_ERRNO, lang || this.engine.lang));
    }
    return job;
  }

  async job({ params, claims, lang }) {
    return [200, jobView(await this.ownJob(params, claims, lang))];
  }

  // The result's file: streamed when the local providers wrote it under the assets
  // directory, a redirect when a provider gave a web address.
  async result({ params, claims, lang, res }) {
    const job = await this.ownJob(params, claims, lang);
    if (job.state !== 'succeeded' || !job.resultUrl) {
      throw new HttpError(404, 'ERR_NO_RESULT', 'The job has no result yet.');
    }
    if (/^https?:\/\//i.test(job.resultUrl)) {
      return [302, { location: job.resultUrl }, { Location: job.resultUrl }];
    }
    const file = await this.assetFile(job.resultUrl);
    const stat = await fs.promises.stat(file);
    res.writeHead(200, {
      'Content-Type': MEDIA_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'private, max-age=3600',
    });
    await new Promise((resolve, reject) => {
      fs.createReadStream(file).on('error', reject).pipe(res).on('finish', resolve);
    });
    return null;
  }

  /** The path of a file:// URL, only if it lies in the assets directory. */
  async assetFile(url) {
    let file;
    try {
      file = await fs.promises.realpath(fileURLToPath(url));
    } catch {
      throw new HttpError(404, 'ERR_NO_RESULT', 'The result file is gone.');
    }
    const root = await fs.promises.realpath(this.config.assetsDir).catch(() => null);
    if (!root || !file.startsWith(root + path.sep)) {
      throw new HttpError(404, 'ERR_NO_RESULT', 'The result is not served here.');
    }
    return file;
  }
}

// The idempotency key of a submit: the client's Idempotency-Key header (a retry then
// returns the same job), else a new one.
function idempotencyKey(req) {
  const given = req.headers['idempotency-key'];
  if (given === undefined) return `http-${randomUUID()}`;
  if (!/^[\x21-\x7e]{1,100}$/.test(given)) {
    throw new HttpError(400, 'ERR_INVALID_FIELD',
                        'Idempotency-Key: 1..100 printable ASCII characters.');
  }
  return `http-key-${given}`;
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

// ---- logging --------------------------------------------------------------------------------

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, none: 100 };

/** A logger writing one JSON line a record to a stream, from `level` up. */
function jsonLogger(stream = process.stderr, level = 'info') {
  const min = LEVELS[level] || LEVELS.info;
  return (lvl, msg, fields = {}) => {
    if ((LEVELS[lvl] || 0) < min) return;
    const record = { time: new Date().toISOString(), level: lvl, msg, ...fields };
    stream.write(JSON.stringify(record) + '\n');
  };
}

// ---- the server -------------------------------------------------------------------------------

/** The settings of createServer: options, then the environment, then defaults. */
function settings(options) {
  const env = process.env;
  const db = options.db || env.VIDGO_DB || 'vidgo-node.db';
  const local = !/^postgres(ql)?:/i.test(db);
  const port = Number(options.port !== undefined ? options.port : env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port: an integer of 0..65535, not ${options.port ?? env.PORT}`);
  }
  return {
    db,
    port,
    host: options.host || env.HOST || '127.0.0.1',
    devCodes: options.devCodes !== undefined ? Boolean(options.devCodes)
                                             : env.VIDGO_DEV_CODES === '1',
    providerMode: options.providerMode || env.VIDGO_PROVIDER_MODE || 'local',
    assetsDir: path.resolve(options.assetsDir || env.VIDGO_ASSETS_DIR ||
                            (local ? path.join(path.dirname(path.resolve(db)), 'vidgo-assets')
                                   : 'vidgo-assets')),
    defaultService: options.defaultService || DEFAULT_SERVICE,
    worker: options.worker !== false,
    workerIdleMs: options.workerIdleMs || 0,
    trustProxy: Boolean(options.trustProxy),
    graceMs: options.graceMs !== undefined ? options.graceMs : SHUTDOWN_GRACE_MS,
    engineOptions: options.engineOptions || {},
  };
}

/**
 * Opens the engine, starts a worker and an HTTP server listening on options.port (0: any
 * free port). Resolves to { server, engine, url, port, close }; close() stops the server,
 * the worker and the engine, and resolves when they are down (calling it again returns the
 * same promise).
 *
 * @param {object} [options]
 * @param {string} [options.db] SQLite file or PostgreSQL URL ($VIDGO_DB, 'vidgo-node.db')
 * @param {number} [options.port] ($PORT, 8080)
 * @param {string} [options.host] ($HOST, '127.0.0.1')
 * @param {boolean} [options.devCodes] /signup returns the e-mailed code ($VIDGO_DEV_CODES=1)
 * @param {string} [options.providerMode] 'local' (offline, default), 'auto', 'remote'
 * @param {string} [options.assetsDir] where the local providers write results
 * @param {string} [options.defaultService] of /generate without service or resolution
 * @param {boolean} [options.worker] run jobs in this process (default true)
 * @param {boolean} [options.trustProxy] the caller is X-Forwarded-For's first address
 * @param {Function} [options.log] (level, msg, fields) → void; default JSON lines to stderr
 * @param {object} [options.engineOptions] more options for vidgo.open
 */
async function createServer(options = {}) {
  const config = settings(options);
  const log = options.log || jsonLogger(process.stderr, process.env.VIDGO_LOG_LEVEL || 'info');
  const outbox = config.devCodes ? new DevOutbox() : null;
  const extra = config.engineOptions;
  const onEmail = (outbox || extra.onEmail) ? (mail) => {
    if (outbox) outbox.deliver(mail);
    if (extra.onEmail) extra.onEmail(mail);
  } : undefined;
  const engine = await vidgo.open(config.db, {
    providerMode: config.providerMode,
    assetsDir: config.assetsDir,
    log: (level, message) => log(level, message, { source: 'vidgo' }),
    ...extra,
    ...(onEmail ? { onEmail } : {}),
  });
  const app = new App(engine, config, outbox, log);
  const server = http.createServer((req, res) => app.handle(req, res));
  let worker = null;
  try {
    // One worker in this process, on a thread of its own: it runs the queued jobs.
    if (config.worker) {
      worker = app.worker = await engine.jobs.startWorker({ idleMs: config.workerIdleMs });
    }
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (worker) await worker.close();
    engine.close();
    throw err;
  }
  const { port } = server.address();
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (config.devCodes) log('warn', 'dev mode: /signup returns the verification code');
  else if (!canSendMail(extra)) {
    log('warn', 'no way to send e-mail: sign-ups fail with VG_ECONFIG (set SMTP_HOST or ' +
                'VIDGO_MAIL_DIR, or VIDGO_DEV_CODES=1 for a demo)');
  }

  let closed = null;
  function close() {
    if (!closed) closed = shutdown(app, server, worker, engine, config.graceMs);
    return closed;
  }
  return { server, engine, url, port, close };
}

// Whether libvidgo has somewhere to send e-mail (vg_config's order, environment included).
function canSendMail(engineOptions) {
  const env = process.env;
  return Boolean(engineOptions.onEmail || engineOptions.smtpUrl || engineOptions.mailDir ||
                 env.SMTP_HOST || env.VIDGO_MAIL_DIR);
}

// Stops taking requests, lets those running finish (up to graceMs), stops the worker after
// its current step, then closes the engine. Jobs not finished stay queued in the store.
async function shutdown(app, server, worker, engine, graceMs) {
  app.closing = true;
  const stopped = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await stopped;
  clearTimeout(timer);
  try {
    if (worker) await worker.stop();
  } catch (err) { // the store error that had ended its run
    app.log('error', 'the worker had stopped on an error',
            { error: err.code, message: err.message });
  }
  if (worker) await worker.close();
  engine.close();
}

// ---- the command line -------------------------------------------------------------------

const USAGE = `usage: node examples/node/server.js [--port 8080] [--host 127.0.0.1]
                  [--db vidgo-node.db] [--dev-codes] [--provider-mode local|auto|remote]
                  [--assets-dir DIR] [--trust-proxy]
Environment: VIDGO_DB, PORT, HOST, VIDGO_DEV_CODES=1, VIDGO_PROVIDER_MODE, VIDGO_ASSETS_DIR,
VIDGO_LOG_LEVEL (debug, info, warn, error), and libvidgo's own (SMTP_HOST, ...).`;

async function main(args) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      db: { type: 'string' },
      'dev-codes': { type: 'boolean' },
      'provider-mode': { type: 'string' },
      'assets-dir': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const log = jsonLogger(process.stderr, process.env.VIDGO_LOG_LEVEL || 'info');
  const app = await createServer({
    port: values.port,
    host: values.host,
    db: values.db,
    devCodes: values['dev-codes'],
    providerMode: values['provider-mode'],
    assetsDir: values['assets-dir'],
    trustProxy: values['trust-proxy'],
    log,
  });
  log('info', 'listening', { url: app.url, store: app.engine.storeLocation });
  let stopping = false;
  const stop = (signal) => {
    if (stopping) process.exit(130); // a second signal: now
    stopping = true;
    log('info', 'shutting down', { signal });
    app.close().then(() => log('info', 'stopped'),
                     (err) => { log('error', 'shutdown failed', { message: err.message });
                                process.exitCode = 1; });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`vidgo server: ${err.message}\n${USAGE}\n`);
    process.exitCode = 1;
  });
}

module.exports = { createServer, errorReply, ERROR_STATUS, DevOutbox, jsonLogger };
