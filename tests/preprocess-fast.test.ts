/**
 * load({ preprocess: 'fast' }): a JPEG larger than the pack needs is decoded at the DCT scale PIL's draft() picks,
 * then resized exactly — its answer is exact preprocessing's answer on PIL's draft pixels; PNGs, pixels and JPEGs
 * too small to scale give exactly the 'exact' answer; taught examples are decoded the same way.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { load, type Classifier } from 'resnet-edge';
import { decodeJpeg } from '../sdk/src/image/jpeg.ts';
import { convertReference, SHARED } from './helpers.ts';

const photo = (f: string) => readFileSync(join(SHARED, 'images', f));
const HOPPER = photo('grace_hopper.jpg'); // 512×600
const ROCKET = photo('rocket.jpg'); // 640×427

let exact: Classifier, fast: Classifier, exact256: Classifier, fast256: Classifier;
before(async () => {
  [exact, fast] = await Promise.all([load({ backend: 'wasm' }), load({ backend: 'wasm', preprocess: 'fast' })]);
  const r18 = (await convertReference('resnet18', 'safetensors', 'int8', { preprocess: { resize: 256, crop: 224 } })).pack;
  [exact256, fast256] = await Promise.all([load({ model: r18, backend: 'wasm' }), load({ model: r18, backend: 'wasm', preprocess: 'fast' })]);
});
after(() => { for (const c of [exact, fast, exact256, fast256]) c?.dispose(); });

describe("preprocess: 'fast'", () => {
  it('is reported in model.preprocessMode', () => {
    assert.equal(exact.model.preprocessMode, 'exact');
    assert.equal(fast.model.preprocessMode, 'fast');
  });

  it('decodes a large JPEG at 1/8 (resize 32) or 1/2 (resize 256) and then preprocesses exactly', async () => {
    for (const [clf, ref, scale] of [[fast, exact, 8], [fast256, exact256, 2]] as const) {
      const draft = (await decodeJpeg(HOPPER, scale)).image; // kept, never released
      assert.deepEqual(await clf.logits(HOPPER), await ref.logits(draft), `1/${scale}`);
      assert.notDeepEqual(await clf.logits(HOPPER), await ref.logits(HOPPER), 'the scaled decode changes the answer a little');
    }
  });

  it('gives the exact answer where nothing can be scaled: a JPEG under twice the resize, PNGs, pixels', async () => {
    assert.deepEqual(await fast256.logits(ROCKET), await exact256.logits(ROCKET)); // 427 / 2 < 256
    const png = photo('astronaut.png');
    assert.deepEqual(await fast.logits(png), await exact.logits(png));
    const pixels = (await decodeJpeg(HOPPER)).image; // kept, never released
    assert.deepEqual(await fast.logits(pixels), await exact.logits(pixels));
  });

  it('ten crops and taught examples are decoded the same way', async () => {
    const draft = (await decodeJpeg(HOPPER, 8)).image; // kept, never released
    assert.deepEqual(await fast.classify(HOPPER, { crops: 10 }), await exact.classify(draft, { crops: 10 }));
    const a = fast.knn({ k: 1 }), b = exact.knn({ k: 1 });
    await a.addExample(HOPPER, 'hopper', { flip: true });
    await b.addExample(draft, 'hopper', { flip: true });
    await a.addExample(ROCKET, 'rocket');
    await b.addExample(ROCKET, 'rocket');
    assert.deepEqual(await a.classify(HOPPER), await b.classify(draft));
  });
});
