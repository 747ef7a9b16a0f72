/**
 * The embedded default model: trained by tools/train_cifar.py on the CIFAR-10 JPEG training copies only,
 * converted to int8 by the project's converter, shipped in sdk/models/default.pack and used by load().
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convert } from 'resnet-edge/convert';
import { load } from 'resnet-edge';
import { ROOT, SHARED, cli } from './helpers.ts';

const PACK = join(ROOT, 'sdk/models/default.pack');
const WEIGHTS = join(ROOT, 'tools/default-model/resnet20.safetensors');

describe('default model', () => {
  it('is exactly what the converter makes of the trained weights (int8)', async () => {
    const { pack, report } = await convert(readFileSync(WEIGHTS), { dtype: 'int8', name: 'cifar10-resnet20' });
    assert.deepEqual(pack, new Uint8Array(readFileSync(PACK)));
    assert.equal(report.dtype, 'int8');
  });
  it('load() without a model uses it and recognises the sample cat', async () => {
    const clf = await load();
    try {
      assert.equal(clf.model.name, 'cifar10-resnet20');
      assert.equal(clf.model.dtype, 'int8');
      assert.equal(clf.model.origin, 'file');
      const [top] = await clf.classify(readFileSync(join(ROOT, 'demos/assets/cat.png')));
      assert.equal(top.label, 'cat');
    } finally {
      clf.dispose();
    }
  });
  it('README main command: classify a sample photo with no --model', async () => {
    const r = await cli('classify', join(ROOT, 'demos/assets/cat.png'), '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0][0].label, 'cat');
  });
  it('top-1 >= 88 % on the 10,000 CIFAR-10 JPEG test images (eval, no --model)', async () => {
    const r = await cli('eval', join(SHARED, 'data/cifar10/test.tar.gz'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { top1: number; top5: number; n: number; imagesPerSecond: number };
    console.log(`default model: top-1 ${res.top1.toFixed(2)} %, top-5 ${res.top5.toFixed(2)} %, n ${res.n}, ${res.imagesPerSecond.toFixed(0)} images/s`);
    assert.equal(res.n, 10000);
    assert.ok(res.top1 >= 88, `top-1 ${res.top1}`);
  });
});
