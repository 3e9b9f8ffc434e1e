// SPDX-License-Identifier: MIT
// A TypeScript program over every API group, as a user of the package writes it: compiled
// with `tsc --strict --noEmit` by types.test.js, never run. It fails to compile when a
// declaration is missing or wrong for how the API is used; the `@ts-expect-error` lines
// fail when a declaration has become too loose to catch the mistake below them.

import * as vidgo from '..';

async function engineAndLibrary(): Promise<vidgo.Engine> {
  const engine = await vidgo.open('vidgo.db', {
    providerMode: 'local', lang: 'ja', secret: 'ab'.repeat(32), clock: Date.now(),
    log: (level: vidgo.LogLevel, message: string) => console.log(level, message),
    onEmail: (email: vidgo.Email) => console.log(email.to, email.subject),
    providers: { gemini: { apiKey: 'key' }, leonardo: 'key' },
    payments: { sandbox: true, ecpayMerchantId: '3002607' },
  });
  const lang: vidgo.Lang = engine.lang;
  const backend: 'sqlite' | 'postgresql' = engine.storeBackend;
  const now: Date = engine.clock.advance(1000);
  const problems: vidgo.Problem[] = await engine.check();
  for await (const event of engine.events({ pageSize: 10 })) console.log(event.id, event.at);
  const version: string = vidgo.version;
  const when: Date = vidgo.parseTime(vidgo.formatTime(now));
  console.log(lang, backend, problems, version, when, vidgo.langs, vidgo.constants.VG_OPEN_CREATE,
    vidgo.langIndex('ja-JP'), vidgo.backendAvailable('sqlite'), vidgo.strerror(-1, 'en'),
    vidgo.errorName(-1), vidgo.lastError(), vidgo.versionInfo.schemaLatest,
    engine.storeLocation, engine.lastError, await engine.schemaVersion(), engine.now());
  vidgo.clearLastError();
  // @ts-expect-error: the store is a string or null
  await vidgo.open(42);
  return engine;
}

async function accounts(engine: vidgo.Engine): Promise<number> {
  const id: number = await engine.accounts.register('mei@example.com', 'correct horse battery',
    { lang: 'ja', caller: '10.0.0.1' });
  await engine.accounts.verify('mei@example.com', '123456');
  await engine.accounts.resend('mei@example.com');
  const session: vidgo.Session = await engine.accounts.login('mei@example.com', 'pw');
  const next: vidgo.Session = await engine.accounts.refresh(session.refreshToken);
  const claims: vidgo.Claims = await engine.accounts.verifyToken(next.accessToken);
  await engine.accounts.logout(next.refreshToken);
  const revoked: number = await engine.accounts.revokeAll(claims.userId);
  await engine.accounts.forgot('mei@example.com', { caller: '10.0.0.1' });
  const same: number = await engine.accounts.reset('vgp_token', 'a new password!');
  await engine.accounts.setActive(id, false);
  await engine.accounts.enable(id);
  await engine.accounts.disable(id);
  const lang: vidgo.Lang = await engine.accounts.lang(id);
  const user: vidgo.User = await engine.users.get(await engine.users.addVerified('a@b.c', 'pro'));
  const found: vidgo.User = await engine.users.find(user.email);
  console.log(revoked, same, lang, found.createdAt, await engine.accounts.find('a@b.c'));
  // @ts-expect-error: a user id is a number
  await engine.users.get('1');
  return id;
}

async function plansAndCredits(engine: vidgo.Engine, userId: number): Promise<void> {
  const plans: vidgo.Plan[] = await engine.plans.list();
  const pro: vidgo.Plan = await engine.plans.get('pro');
  await engine.plans.put({ ...pro, name: 'team', rank: 9 });
  const service: vidgo.Service = await engine.plans.service('video_720p');
  await engine.plans.putService({ ...service, credits: 12 });
  const offers: vidgo.PackageOffer[] = await engine.plans.packages('pro');
  await engine.plans.putPackage({ ...offers[0].package, credits: 60 });
  const access: vidgo.Access = await engine.plans.checkAccess(userId, 'video_720p', { fps: 30 });
  const refusal: vidgo.VidgoError | null = engine.plans.accessError(access);
  console.log(plans, (await engine.plans.services()).length, refusal?.code);

  const credits = engine.credits;
  const balance: vidgo.Balance = await credits.grant(userId, 50, { key: 'g1', kind: 'bonus' });
  const hold: vidgo.Hold = await credits.hold(userId, 'image_512', { key: 'h1' });
  await credits.capture(hold, { key: 'c1' });
  await credits.refund(hold.id, { key: 'r1' });
  await credits.release(await credits.getHold(hold), { key: 'x1' });
  await credits.changePlan(userId, 'pro', { key: 'p1' });
  const page: vidgo.LedgerEntry[] = await credits.historyPage(userId, { limit: 10 });
  for await (const entry of credits.history(userId)) console.log(entry.type, entry.amount);
  const report: vidgo.MaintenanceReport = await credits.maintenance();
  const reset: Date = vidgo.Credits.nextReset(new Date());
  const type: vidgo.LedgerType | null = credits.ledgerTypeName(1);
  console.log(balance.available, page, report.users, reset, type, await credits.balance(userId));
  // @ts-expect-error: every mutating call needs its idempotency key
  await credits.grant(userId, 50, {});
}

async function cache(engine: vidgo.Engine): Promise<void> {
  const embedder: vidgo.Embedder = engine.cache.localEmbedder({ dimension: 64 });
  const vectors: Float32Array[] = await embedder.embed(['a red sneaker']);
  const c: vidgo.Cache = await engine.cache.open({ embedder, threshold: 0.9, quantize: 'auto' });
  const scope: vidgo.CacheScope = { service: 'image_1024', resolution: 1024 };
  const id: number = await c.put(scope, 'a red sneaker', 'result-1', { ttlS: 60 });
  const hit: vidgo.CacheHit = await c.lookup('image_1024', 'a red sneaker', { userId: 1 });
  const { flight } = await c.begin(scope, 'a blue sneaker');
  if (flight !== null) await flight.done('result-2', { costMicroUsd: 100 });
  const entries: vidgo.CacheEntry[] = await c.entries({ scope });
  const stats: vidgo.CacheStats = await c.stats();
  await c.setThreshold(0.95, { scope });
  await c.invalidate(id);
  console.log(vectors, hit.match, entries, stats.scanPath, (await c.compare('a', 'b')).similarity,
    await c.invalidateScope(scope), c.embedder?.dimension, c.closed, flight?.ended);
  await engine.cache.blockPut('a prompt', 'adult', { ttlS: 60 });
  const blocked: string | null = await engine.cache.blockGet('a prompt');
  const normal: string = vidgo.CacheAPI.normalize('  Hello ');
  console.log(blocked, normal, engine.cache.defaultOptions().threshold,
    engine.cache.defaultEmbedder().model, engine.cache.geminiEmbedder({ apiKey: 'k' }).name);
  c.close();
  embedder.close();
  // @ts-expect-error: an embedder is an Embedder or one of three names
  await engine.cache.open({ embedder: 'remote' });
}

async function providers(engine: vidgo.Engine): Promise<void> {
  const p = engine.providers;
  const names: vidgo.ProviderName[] = p.names();
  const table: vidgo.ProviderCapability[] = vidgo.capabilities();
  const info: vidgo.ProviderInfo = p.info('gemini');
  const checked: vidgo.ProviderInfo = await p.check('local');
  const pick: vidgo.ProviderName | null = p.pick('text_to_video');
  const verdict: vidgo.Moderation = await p.moderate('a red sneaker', { lang: 'en' });
  const enhanced: vidgo.Enhanced = await p.enhance('a red sneaker', 'en');
  const vectors: Float32Array[] = await p.embed(['a', 'b'], p.embedder());
  const task: vidgo.ProviderTask = { kind: 'text_to_video', prompt: 'a red sneaker' };
  let job: vidgo.ProviderJob = await p.submit('local', task);
  job = await p.poll({ provider: job.provider, jobId: job.jobId, kind: job.kind });
  job = await p.wait(job, { timeoutMs: 60000, signal: AbortSignal.timeout(60000) });
  await p.cancel('local', job.jobId);
  const again: vidgo.ProviderJob | null = await p.reconcile('local', task, new Date());
  const hook: vidgo.ProviderJob = p.polloWebhookVerify('msg_1', '1700000000', 'v1,sig', '{}',
    { mode: 'base64' });
  console.log(names, vidgo.providerNames(), table, info.keyMasked, checked.reachable, pick,
    verdict.blocked, enhanced.prompt, vectors, again, hook.state, p.list(), p.emptyJob().percent,
    p.index('local'), p.taskKindName(1), p.taskKindIndex('text_to_video'), p.taskStateName(0),
    p.moderationMessage('adult', 'ja'), p.capabilities());
  // @ts-expect-error: a task has a kind
  await p.submit('local', { prompt: 'no kind' });
}

async function jobs(engine: vidgo.Engine, userId: number): Promise<void> {
  const generator: vidgo.Generator = await engine.generator({
    enhance: false, cache: { embedder: 'local', threshold: 0.9 },
    onEvent: (job: vidgo.Job) => console.log(job.id, job.state),
  });
  generator.on('job', (job: vidgo.Job) => console.log(job.percent));
  const worker: vidgo.Worker = await generator.startWorker({ idleMs: 50 });
  let job: vidgo.Job = await generator.submit(userId, 'video_720p', 'a red sneaker',
    { key: 'order-1', public: true, durationS: 5 });
  job = await generator.wait(job.id, { timeoutMs: 60000 });
  generator.throwIfFailed(job);
  const state: vidgo.JobState = vidgo.JOB_STATES[0];
  const name: vidgo.JobState | null = vidgo.Generator.stateName(2);
  for await (const each of engine.jobs.list(userId, { activeOnly: true })) console.log(each.id);
  const page: vidgo.Job[] = await engine.jobs.listPage(0, { limit: 10 });
  await engine.jobs.cancel(job.id, userId);
  const read: vidgo.Job = await engine.jobs.get(job.id);
  const hand: vidgo.Worker = await engine.jobs.worker('by-hand');
  const stepped: boolean = await hand.step();
  await hand.close();
  await worker.stop();
  await engine.jobs.runUntilIdle({ idleMs: 10 });
  console.log(state, name, page, read.resultUrl, stepped, worker.running, worker.generator.closed,
    generator.engine.lang, hand.start({ idleMs: 1 }).closed,
    await hand.run({ stopWhenIdle: true }));
  await generator.close();
  await engine.jobs.close();

  const topics: vidgo.Topic[] = await engine.gallery.topics('en');
  const examples: vidgo.Example[] = await engine.gallery.examples(null, { count: 3, seed: 1 });
  const exampleId: number = await engine.gallery.promote(job, 'shoes', 'A red sneaker');
  await engine.gallery.remove(exampleId);
  console.log(topics, examples);
  // @ts-expect-error: 'done' is not a job state
  const wrong: vidgo.JobState = 'done';
  console.log(wrong);
}

async function payments(engine: vidgo.Engine, userId: number): Promise<void> {
  const pay = engine.payments;
  const order: vidgo.Order = await pay.createOrder(userId, 'credits_50', { key: 'o-1' });
  const form: vidgo.EcpayForm = await pay.ecpayCheckout(order.id, 'https://shop.example/ret');
  const body = new URLSearchParams(form.fields).toString();
  const mac: string = vidgo.ecpayCheckMac(form.fields, 'key', 'iv', { sha256: true });
  const done: vidgo.EcpayCallbackResult = await pay.ecpayCallback(body);
  pay.paddleVerify('ts=1;h1=00', Buffer.from('{}'), { toleranceS: 5 });
  const hook: vidgo.WebhookResult = await pay.paddleWebhook('ts=1;h1=00', '{}');
  const sub: vidgo.Subscription = await pay.subscription(userId);
  await pay.changeSubscription(userId, 'starter');
  await pay.cancelSubscription(userId);
  const maintained: number = await pay.maintainSubscriptions();
  await pay.putPromo({ code: 'SPRING', bonusCredits: 20, plans: ['pro', 'pro_plus'] });
  const promo: vidgo.Promo = await pay.promo('spring');
  const balance: vidgo.Balance = await pay.redeemPromo(userId, 'SPRING', { key: 'p-1' });
  const stats: vidgo.AdminStats = await pay.adminStats();
  const state: vidgo.OrderState | null = vidgo.orderStateName(3);
  for await (const each of pay.orders({ userId, pageSize: 10 })) console.log(each.number);
  console.log(mac, done.reply, hook.duplicate, sub.state, maintained, promo.redeemed,
    balance.bonus, stats.usersByPlan, state, await pay.order(order.id),
    await pay.findOrder(order.number), await pay.ordersPage({ limit: 5 }),
    await pay.refundOrder(order.id, 'asked'), await pay.simulatePaid(order.id),
    pay.checkMac([['a', '1']], 'k', 'v'), pay.orderStateName(0));
  // @ts-expect-error: an order kind is 'package' or 'subscription'
  await pay.createOrder(userId, 'pro', { key: 'o-2', kind: 'monthly' });
}

// Errors narrow by class; the group classes are values too.
function errors(err: unknown, engine: vidgo.Engine): string {
  const groups = [engine.accounts instanceof vidgo.Accounts, engine.users instanceof vidgo.Users,
    engine.plans instanceof vidgo.Plans, engine.credits instanceof vidgo.Credits,
    engine.cache instanceof vidgo.CacheAPI, engine.providers instanceof vidgo.Providers,
    engine.jobs instanceof vidgo.Jobs, engine.gallery instanceof vidgo.Gallery,
    engine.payments instanceof vidgo.Payments];
  console.log(groups, vidgo.Cache, vidgo.Embedder, vidgo.Flight, vidgo.Worker);
  if (err instanceof vidgo.RateLimited) return `retry after ${err.retryAfter} s`;
  if (err instanceof vidgo.InsufficientCredits) return err.userMessage;
  if (err instanceof vidgo.errors.VidgoError) return `${err.code} ${err.errno} ${err.detail}`;
  const codes: { errno: number; code: string }[] = vidgo.errors.allCodes();
  return vidgo.makeError(codes[1].errno, 'message', 0, 'en').message;
}

export async function main(): Promise<void> {
  const engine = await engineAndLibrary();
  const userId = await accounts(engine);
  await plansAndCredits(engine, userId);
  await cache(engine);
  await providers(engine);
  await jobs(engine, userId);
  await payments(engine, userId);
  console.log(errors(new Error('x'), engine));
  engine.close();
}
