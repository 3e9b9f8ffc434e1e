// SPDX-License-Identifier: MIT
// engine.gallery: the seeded topics and examples in five languages, promoting a public
// job's result, removing an example; on every store backend.
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const h = require('./helpers');
const { openEngine, rejectsWith, vidgo } = h;

for (const backend of h.backends()) {
  test(`topics and seeded examples in a language (${backend})`, async (t) => {
    const engine = await openEngine(t, backend, { lang: 'ja' });
    const topics = await engine.gallery.topics();
    assert.ok(topics.length >= 8);
    assert.ok(topics.every((x) => x.topic && x.title && x.count > 0));
    assert.deepEqual(topics.map((x) => x.topic), topics.map((x) => x.topic).sort());
    const english = await engine.gallery.topics('en');
    assert.deepEqual(english.map((x) => x.topic), topics.map((x) => x.topic));
    assert.notDeepEqual(english.map((x) => x.title), topics.map((x) => x.title));

    const pets = await engine.gallery.examples('pets', { count: 3, seed: 42 });
    assert.equal(pets.length, 3);
    assert.ok(pets.every((e) => e.topic === 'pets' && e.lang === 'ja' && e.prompt && e.service));
    assert.ok(pets.every((e) => e.jobId === 0 && e.createdAt instanceof Date));
    const again = await engine.gallery.examples('pets', { lang: 'ja', count: 3, seed: 42 });
    assert.deepEqual(again.map((e) => e.id), pets.map((e) => e.id));
    const any = await engine.gallery.examples();
    assert.equal(any.length, 6);
    const es = await engine.gallery.examples(null, { lang: 'es', count: 100 });
    assert.ok(es.length > 6 && es.every((e) => e.lang === 'es'));
    assert.deepEqual(await engine.gallery.examples('no_such_topic'), []);
  });

  test(`a public job's result is promoted and removed (${backend})`, async (t) => {
    const engine = await openEngine(t, backend);
    const uid = await engine.users.addVerified('gallery@example.com', 'pro');
    const shown = await engine.jobs.submit(uid, 'image_1024', 'a jar of honey on a wooden table',
      { key: 'g1', public: true });
    const plain = await engine.jobs.submit(uid, 'image_1024', 'a bowl of ramen with an egg',
      { key: 'g2', public: true });
    const hidden = await engine.jobs.submit(uid, 'image_512', 'a private teapot',
      { key: 'g3' });
    await rejectsWith(engine.gallery.promote(shown, 'food'), 'VG_EJOB_STATE',
      vidgo.JobStateError); // not finished yet
    await engine.jobs.runUntilIdle({ idleMs: 10 });

    const id = await engine.gallery.promote(shown, 'food', 'Honey');
    assert.ok(Number.isInteger(id) && id > 0);
    assert.equal(await engine.gallery.promote(shown.id, 'food', 'Honey'), id); // once a topic
    const food = await engine.gallery.examples('food', { lang: 'en', count: 100 });
    const example = food.find((e) => e.id === id);
    assert.ok(example);
    assert.equal(example.jobId, shown.id);
    assert.equal(example.title, 'Honey');
    assert.equal(example.prompt, shown.prompt);
    assert.ok(example.resultUrl && example.mediaType === 'image');
    const count = (await engine.gallery.topics('en')).find((x) => x.topic === 'food').count;

    const untitled = await engine.gallery.promote(plain.id, 'food');
    const second = (await engine.gallery.examples('food', { lang: 'en', count: 100 }))
      .find((e) => e.id === untitled);
    assert.equal(second.title, plain.prompt); // short: the whole prompt
    await rejectsWith(engine.gallery.promote(hidden, 'food'), 'VG_EJOB_STATE',
      vidgo.JobStateError); // not public
    await rejectsWith(engine.gallery.promote(987654, 'food'), 'VG_ENOTFOUND', vidgo.NotFound);

    await engine.gallery.remove(id);
    await rejectsWith(engine.gallery.remove(id), 'VG_ENOTFOUND', vidgo.NotFound);
    const after = (await engine.gallery.topics('en')).find((x) => x.topic === 'food').count;
    assert.equal(after, count); // one added, one removed
    await h.assertInvariants(engine);
  });

  test(`bad gallery arguments throw and change nothing (${backend})`, async (t) => {
    const engine = await openEngine(t, backend);
    const g = engine.gallery;
    const before = await g.topics('en');
    const T = [TypeError, 'ERR_INVALID_ARG_TYPE'];
    const V = [TypeError, 'ERR_INVALID_ARG_VALUE'];
    const R = [RangeError, 'ERR_INVALID_ARG_VALUE'];
    const bad = [
      [() => g.topics(5), T],
      [() => g.examples(7), T],
      [() => g.examples('pets', { count: 0 }), R],
      [() => g.examples('pets', { count: 101 }), R],
      [() => g.examples('pets', { count: 2.5 }), R],
      [() => g.examples('pets', { seed: -1 }), R],
      [() => g.examples('pets', { lang: 3 }), T],
      [() => g.examples('pets', { langs: 'en' }), V],
      [() => g.examples('pets', 'en'), T],
      [() => g.promote('1', 'food'), T],
      [() => g.promote(0, 'food'), R],
      [() => g.promote(1), T],
      [() => g.promote(1, 'food', 9), T],
      [() => g.remove(), T],
      [() => g.remove(-2), R],
    ];
    for (const [fn, [Class, code]] of bad) await h.rejectsArgument(fn, Class, code);
    // Values the library refuses: an unknown language, an invalid topic.
    await assert.rejects(g.topics('xx'), vidgo.InvalidArgument);
    await assert.rejects(g.promote(1, ''), vidgo.VidgoError);
    assert.deepEqual(await g.topics('en'), before);
  });
}

test('the gallery of a closed engine rejects with ClosedError', async () => {
  const engine = await h.openTemp();
  engine.close();
  await assert.rejects(engine.gallery.topics(), vidgo.ClosedError);
  await assert.rejects(engine.gallery.examples('pets'), vidgo.ClosedError);
  await assert.rejects(engine.gallery.remove(1), vidgo.ClosedError);
});
