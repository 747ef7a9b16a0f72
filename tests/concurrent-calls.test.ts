/**
 * Heavy use of one classifier: 200 concurrent calls answer as sequential ones; dispose() with calls pending rejects
 * them (DISPOSED) and frees the weights; every call honours its AbortSignal and the classifier keeps answering.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { load, type Classifier } from 'resnet-edge';
import { ROOT } from './helpers.ts';

const images = [
  readFileSync(join(ROOT, 'demos/assets/cat.png')),
  readFileSync(join(ROOT, 'demos/assets/coffee.png')),
  { data: Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 29) % 256), width: 40, height: 30, channels: 3 as const },
  { data: Uint8Array.from({ length: 7 * 9 }, (_, i) => (i * 53) % 256), width: 7, height: 9, channels: 1 as const },
];

async function sequential(clf: Classifier) {
  const out = [];
  for (const img of images) out.push(await clf.classify(img));
  return out;
}

describe('200 concurrent calls', () => {
  for (const compute of ['int8', 'float32'] as const) {
    it(`on one classifier (compute ${compute}): every answer equals the sequential one`, async () => {
      const clf = await load({ backend: 'wasm', compute });
      const want = await sequential(clf);
      const got = await Promise.all(Array.from({ length: 200 }, (_, i) => clf.classify(images[i % images.length])));
      got.forEach((g, i) => assert.deepEqual(g, want[i % images.length], `call ${i}`));
      clf.dispose();
    });
  }
});

describe('dispose() with calls pending', () => {
  it('rejects each pending call with DISPOSED, frees the weights once the running batch is done, and later calls throw', async () => {
    const before = tf.memory().numTensors;
    const clf = await load({ backend: 'wasm', compute: 'float32' });
    assert.ok(tf.memory().numTensors > before);
    const calls = Array.from({ length: 50 }, (_, i) => clf.classify(images[i % images.length]));
    clf.dispose();
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r as PromiseRejectedResult).reason.code, 'DISPOSED');
      assert.match((r as PromiseRejectedResult).reason.message, /disposed while this call was pending/);
    }
    await new Promise((r) => setTimeout(r, 50)); // the queue drains: skipped batches, nothing allocated
    assert.equal(tf.memory().numTensors, before, 'weights and activations freed');
    await assert.rejects(clf.classify(images[0]), { code: 'DISPOSED' });
  });

  it('on the int8 kernels (2 threads) too, and a new classifier answers as before', async () => {
    const clf = await load({ backend: 'wasm', threads: 2 });
    const want = await sequential(clf);
    const calls = Array.from({ length: 50 }, (_, i) => clf.logits(images[i % images.length]));
    clf.dispose();
    for (const r of await Promise.allSettled(calls)) assert.equal(r.status === 'rejected' && r.reason.code, 'DISPOSED');
    const again = await load({ backend: 'wasm', threads: 2 });
    assert.deepEqual(await sequential(again), want);
    again.dispose();
  });
});

describe('AbortSignal per call', () => {
  for (const compute of ['int8', 'float32'] as const) {
    it(`(compute ${compute}) an aborted call rejects with the signal's reason; the others and later calls answer right`, async () => {
      const clf = await load({ backend: 'wasm', compute });
      const want = await sequential(clf);
      const before = tf.memory().numTensors;
      // Already aborted: rejects (no exception thrown synchronously).
      const gone = AbortSignal.abort();
      const p = clf.classify(images[0], { signal: gone });
      await assert.rejects(p, { name: 'AbortError' });
      await assert.rejects(clf.logits(images[0], { signal: gone }), { name: 'AbortError' });
      await assert.rejects(clf.embed(images[0], { signal: gone }), { name: 'AbortError' });
      // Aborted while queued: every other call of 100 is aborted right after it starts.
      const controllers = Array.from({ length: 100 }, () => new AbortController());
      const calls = controllers.map((c, i) => clf.classify(images[i % images.length], { signal: c.signal, crops: i % 3 ? 1 : 10 }));
      controllers.forEach((c, i) => { if (i % 2) c.abort(); });
      const results = await Promise.allSettled(calls);
      results.forEach((r, i) => {
        if (i % 2) assert.equal(r.status === 'rejected' && r.reason.name, 'AbortError', `call ${i}`);
        else assert.equal(r.status, 'fulfilled', `call ${i}`);
      });
      results.forEach((r, i) => { if (!(i % 2) && i % 3) assert.deepEqual((r as PromiseFulfilledResult<unknown>).value, want[i % images.length]); });
      // A reason of the app's own choosing comes back as is.
      const c = new AbortController();
      const mine = clf.classify(images[1], { signal: c.signal });
      c.abort(new Error('user left the page'));
      await assert.rejects(mine, /user left the page/);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(tf.memory().numTensors, before, 'aborted calls leave no tensor behind');
      assert.deepEqual(await sequential(clf), want);
      clf.dispose();
    });
  }
});
