/**
 * Loads started together, before any backend exists, all succeed: tfjs makes a backend that starts while another
 * is starting fail, so resnet-edge starts and uses backends one at a time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { diagnose, load } from 'resnet-edge';
import { ROOT } from './helpers.ts';

it('four concurrent loads (auto, wasm, wasm, diagnose) from a cold start all work and agree', async () => {
  const [a, b, c, d] = await Promise.all([load(), load({ backend: 'wasm' }), load({ backend: 'wasm' }), diagnose()]);
  assert.equal(d.chosen, 'wasm');
  const cat = readFileSync(join(ROOT, 'demos/assets/cat.png'));
  const results = await Promise.all([a, b, c].map((clf) => clf.classify(cat)));
  for (const r of results) assert.deepEqual(r, results[0]);
  assert.equal(results[0][0].label, 'cat');
  [a, b, c].forEach((clf) => clf.dispose());
});
