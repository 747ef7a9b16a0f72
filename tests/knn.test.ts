/**
 * Your own labels by nearest neighbours (clf.knn()): the API on the default model, and parity with PyTorch + NumPy on
 * the paper's pretrained CIFAR-10 ResNet-20: taught the first 100 training JPEGs of each class, every one of the
 * 10,000 test JPEGs gets NumPy's prediction on PyTorch's embeddings (tools/knn_reference.py), except where
 * similarities closer than 1e-4 decide (either answer is right there).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load, UsageError, type KnnClassifier } from 'resnet-edge';
import { convert } from 'resnet-edge/convert';
import { readTar } from '../sdk/src/cli/tar.ts';
import { MODELS, ROOT, SHARED } from './helpers.ts';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const CAT = join(ROOT, 'demos', 'assets', 'cat.png');

/** The archive's JPEGs sorted by path, with their class index; the first `perClass` of each class when given. */
function cifar(archive: string, perClass?: number): { cls: number; bytes: Uint8Array }[] {
  const all = [...readTar(readFileSync(join(SHARED, 'data', 'cifar10', archive)))].filter((e) => e.path.endsWith('.jpg'))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const seen = new Map<number, number>();
  return all.map((e) => ({ cls: CLASSES.indexOf(e.path.split('/').at(-2)!), bytes: e.data })).filter(({ cls }) => {
    seen.set(cls, (seen.get(cls) ?? 0) + 1);
    return perClass === undefined || seen.get(cls)! <= perClass;
  });
}

describe('clf.knn(): your own labels by nearest neighbours', () => {
  it('teach, classify, remove one example or a whole label; probabilities are vote shares', async () => {
    const clf = await load();
    const knn: KnnClassifier = clf.knn({ k: 1 });
    const photos = cifar('test.tar.gz').filter((_, i) => i % 1000 === 0); // one of each class
    const ids = [];
    for (const p of photos.slice(0, 3)) ids.push(await knn.addExample(p.bytes, `my ${CLASSES[p.cls]}`));
    assert.deepEqual(knn.labels, ['my airplane', 'my automobile', 'my bird']);
    const top = await knn.classify(photos[1].bytes);
    assert.deepEqual(top.map((p) => [p.label, p.index, p.probability]), [['my automobile', 1, 1], ...top.slice(1).map((p) => [p.label, p.index, 0])]);
    assert.equal((await knn.classify(photos[1].bytes, { topK: 1 })).length, 1);
    assert.equal(knn.removeExample(ids[1]), true);
    assert.equal(knn.removeExample(ids[1]), false);
    assert.deepEqual(knn.labels, ['my airplane', 'my bird']);
    await knn.addExample(photos[2].bytes, 'my bird');
    assert.deepEqual(knn.counts, { 'my airplane': 1, 'my bird': 2 });
    assert.equal(knn.removeLabel('my bird'), 2);
    assert.deepEqual(knn.labels, ['my airplane']);
    clf.dispose();
  });

  it('bad arguments are INVALID_ARGUMENT errors and leave it usable; a disposed base ends it; abort works', async () => {
    const clf = await load();
    assert.throws(() => clf.knn({ k: 0 }), (e: unknown) => e instanceof UsageError && e.code === 'INVALID_ARGUMENT');
    assert.throws(() => clf.knn({ k: 2.5 }), /k must be an integer from 1 to 1000, got 2\.5/);
    const knn = clf.knn();
    await assert.rejects(knn.classify(CAT), /no examples yet: teach it with addExample\(image, label\) first/);
    await assert.rejects(knn.addExample(CAT, ''), (e: unknown) => e instanceof UsageError && e.code === 'INVALID_ARGUMENT');
    await knn.addExample(CAT, 'cat');
    await assert.rejects(knn.classify(CAT, { topK: 2 }), /topK must be an integer from 1 to 1 \(the labels taught\), got 2/);
    await assert.rejects(knn.addExample(new Uint8Array([1, 2, 3]), 'junk'), { code: 'IMAGE_UNSUPPORTED' });
    assert.deepEqual(knn.labels, ['cat']);
    assert.equal((await knn.classify(CAT))[0].probability, 1);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(knn.addExample(CAT, 'cat', { signal: controller.signal }), { name: 'AbortError' });
    clf.dispose();
    await assert.rejects(knn.classify(CAT), { code: 'DISPOSED' });
    assert.throws(() => clf.knn(), { code: 'DISPOSED' });
  });

  it('pretrained CIFAR ResNet-20, 100 JPEGs per class taught, 10,000 test JPEGs: NumPy\'s kNN on PyTorch\'s embeddings', async (t) => {
    const dir = join(MODELS, 'knn');
    if (!existsSync(join(dir, 'knn.json'))) execFileSync('/usr/bin/python3', [join(ROOT, 'tools', 'knn_reference.py'), '--out', dir], { stdio: 'inherit' });
    const ref = JSON.parse(readFileSync(join(dir, 'knn.json'), 'utf8')) as { k: number; perClass: number; top1: number; predictions: number[]; ambiguous: boolean[] };
    const weights = readFileSync(join(SHARED, 'models', 'cifar-resnet', 'resnet20.safetensors'));
    const clf = await load({ model: (await convert(weights, { dtype: 'float32' })).pack, backend: 'wasm' });
    const knn = clf.knn({ k: ref.k });
    for (const e of cifar('train.tar.gz', ref.perClass)) await knn.addExample(e.bytes, CLASSES[e.cls]);
    assert.deepEqual(knn.labels, CLASSES);
    const test = cifar('test.tar.gz');
    let same = 0, differAmbiguous = 0, right = 0;
    const differ: number[] = [];
    for (const [i, e] of test.entries()) {
      const ours = (await knn.classify(e.bytes, { topK: 1 }))[0].index;
      if (ours === e.cls) right++;
      if (ours === ref.predictions[i]) same++;
      else if (ref.ambiguous[i]) differAmbiguous++;
      else differ.push(i);
    }
    clf.dispose();
    t.diagnostic(`kNN k=${ref.k}: top-1 ${(100 * right / test.length).toFixed(2)} % (NumPy on PyTorch's embeddings ${(100 * ref.top1).toFixed(2)} %); `
      + `${same} identical predictions, ${differAmbiguous} differ where similarities within 1e-4 decide`);
    assert.equal(test.length, 10_000);
    assert.deepEqual(differ, []);
  });
});
