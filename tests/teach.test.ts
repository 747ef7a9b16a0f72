/**
 * Your own labels (clf.knn(), knn.trainLinear(), head.toPack()): the API on the default model, and parity with PyTorch
 * on the paper's pretrained CIFAR-10 ResNet-20 taught the first 100 training JPEGs of each class
 * (tools/teach_reference.py): on the 10,000 test JPEGs, kNN gives NumPy's prediction on PyTorch's embeddings for
 * every image (where similarities closer than 1e-4 decide, either answer is right), and the linear head's top-1 is
 * within 0.5 point of the same head trained in PyTorch; its pack answers as the head does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load, UsageError, type KnnClassifier, type SoftmaxOptions } from 'resnet-edge';
import { convert } from 'resnet-edge/convert';
import { readTar } from '../sdk/src/cli/tar.ts';
import { cli, convertReference, MODELS, ROOT, SHARED } from './helpers.ts';

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

  it('knn.save() and loadKnn(): the same answers from the file; a file for another model or a damaged one is a PackError', async () => {
    const clf = await load();
    const knn = clf.knn({ k: 2 });
    const photos = cifar('test.tar.gz').filter((_, i) => i % 500 === 0); // 2 of each class
    for (const p of photos.slice(0, 12)) await knn.addExample(p.bytes, CLASSES[p.cls]);
    const file = knn.save();
    const back = clf.loadKnn(file);
    assert.equal(back.k, 2);
    assert.deepEqual(back.labels, knn.labels);
    assert.deepEqual(back.counts, knn.counts);
    for (const p of photos) assert.deepEqual(await back.classify(p.bytes), await knn.classify(p.bytes));
    assert.deepEqual(clf.loadKnn(clf.knn().save()).labels, []);
    assert.throws(() => clf.loadKnn(file.subarray(0, file.length - 3)), { code: 'PACK_TRUNCATED' });
    assert.throws(() => clf.loadKnn(new Uint8Array(40)), { code: 'PACK_INVALID', message: /does not start with "RE-KNN"/ });
    const v2 = file.slice();
    v2[8] = 2;
    assert.throws(() => clf.loadKnn(v2), { code: 'PACK_UNSUPPORTED' });
    const other = await load({ model: (await convert(readFileSync(join(SHARED, 'models', 'cifar-resnet', 'resnet20.safetensors')))).pack });
    assert.throws(() => other.loadKnn(file), { code: 'PACK_INVALID', message: /was taught on "cifar10-resnet20".*not on the loaded model/ });
    other.dispose();
    clf.dispose();
  });

  it('augmentation: the ten crops are the pack\'s (the centre one is the photo\'s embedding, half of them mirrored); a head trains on them', async () => {
    const { embedTenCrops } = await import('resnet-edge/internal');
    const { pack } = await convertReference('resnet18', 'safetensors', 'int8', { preprocess: { resize: 256, crop: 224 } });
    const cifarPhoto = cifar('test.tar.gz')[0].bytes; // 32×32
    for (const [model, photo] of [[undefined, cifarPhoto], [pack, CAT]] as const) {
      const clf = await load({ model, backend: 'wasm' });
      const crops = await embedTenCrops(clf, photo);
      assert.equal(crops.length, 10);
      assert.deepEqual(crops[4], await clf.embed(photo)); // TenCrop's fifth: the centre crop
      if (!model) { // the default model crops 32 of a 32×32 photo: every crop is the photo, or its mirror image
        for (let i = 0; i < 5; i++) assert.deepEqual(crops[i], crops[4]);
        for (let i = 6; i < 10; i++) assert.deepEqual(crops[i], crops[5]);
        assert.notDeepEqual(crops[5], crops[4]);
      }
      const knn = clf.knn();
      await knn.addExample(CAT, 'cat', { crops: true });
      await knn.addExample(join(ROOT, 'demos', 'assets', 'coffee.png'), 'coffee', { flip: true, crops: true });
      const head = knn.trainLinear();
      assert.equal((await head.classify(CAT))[0].label, 'cat');
      assert.deepEqual(knn.counts, { cat: 1, coffee: 1 });
      clf.dispose();
    }
  });

  it('pretrained CIFAR ResNet-20, 100 JPEGs per class taught, 10,000 test JPEGs: kNN and the linear head against PyTorch', async (t) => {
    const dir = join(MODELS, 'teach');
    if (!existsSync(join(dir, 'teach.json')) || !readFileSync(join(dir, 'teach.json'), 'utf8').includes('linearFlipTop1')) execFileSync('/usr/bin/python3', [join(ROOT, 'tools', 'teach_reference.py'), '--out', dir], { stdio: 'inherit' });
    const ref = JSON.parse(readFileSync(join(dir, 'teach.json'), 'utf8')) as
      { k: number; perClass: number; top1: number; predictions: number[]; ambiguous: boolean[]; linearTop1: number; linearFlipTop1: number; softmax: SoftmaxOptions };
    const weights = readFileSync(join(SHARED, 'models', 'cifar-resnet', 'resnet20.safetensors'));
    const source = (await convert(weights, { dtype: 'float32' })).pack;
    const clf = await load({ model: source, backend: 'wasm' });
    const knn = clf.knn({ k: ref.k }), flipped = clf.knn();
    for (const e of cifar('train.tar.gz', ref.perClass)) {
      await knn.addExample(e.bytes, CLASSES[e.cls]);
      await flipped.addExample(e.bytes, CLASSES[e.cls], { flip: true });
    }
    assert.deepEqual(knn.labels, CLASSES);
    const head = knn.trainLinear(ref.softmax), flipHead = flipped.trainLinear(ref.softmax);
    const exported = await load({ model: await head.toPack(source), backend: 'wasm' });
    assert.deepEqual(exported.model.labels, CLASSES);
    const test = cifar('test.tar.gz');
    let same = 0, differAmbiguous = 0, knnRight = 0, linearRight = 0, flipRight = 0, packDiff = 0;
    const differ: number[] = [];
    for (const [i, e] of test.entries()) {
      const ours = (await knn.classify(e.bytes, { topK: 1 }))[0].index;
      if (ours === e.cls) knnRight++;
      if (ours === ref.predictions[i]) same++;
      else if (ref.ambiguous[i]) differAmbiguous++;
      else differ.push(i);
      const linear = await head.classify(e.bytes, { topK: 10 });
      if (linear[0].index === e.cls) linearRight++;
      if ((await flipHead.classify(e.bytes, { topK: 1 }))[0].index === e.cls) flipRight++;
      if (i % 100 === 0) {
        const fromPack = await exported.classify(e.bytes, { topK: 10 });
        for (const p of linear) packDiff = Math.max(packDiff, Math.abs(p.probability - fromPack.find((q) => q.index === p.index)!.probability));
      }
    }
    clf.dispose();
    exported.dispose();
    const pct = (n: number) => (100 * n / test.length).toFixed(2);
    t.diagnostic(`kNN k=${ref.k}: top-1 ${pct(knnRight)} % (NumPy on PyTorch's embeddings ${(100 * ref.top1).toFixed(2)} %); `
      + `${same} identical predictions, ${differAmbiguous} differ where similarities within 1e-4 decide`);
    t.diagnostic(`linear head: top-1 ${pct(linearRight)} % (PyTorch ${(100 * ref.linearTop1).toFixed(2)} %); its pack: max |Δp| ${packDiff.toExponential(1)} on 100 images`);
    t.diagnostic(`linear head with flipped examples: top-1 ${pct(flipRight)} % (PyTorch ${(100 * ref.linearFlipTop1).toFixed(2)} %)`);
    assert.equal(test.length, 10_000);
    assert.deepEqual(differ, []);
    assert.ok(Math.abs(linearRight / test.length - ref.linearTop1) <= 0.005);
    assert.ok(Math.abs(flipRight / test.length - ref.linearFlipTop1) <= 0.005);
    assert.ok(packDiff <= 1e-5, `${packDiff}`);
  });

  it('a head trained in JS is deterministic; its int8 pack (from the default model) loads with the new labels', async () => {
    const clf = await load();
    const knn = clf.knn();
    const photos = cifar('test.tar.gz').filter((_, i) => i % 250 === 0); // 4 of each class
    for (const p of photos) await knn.addExample(p.bytes, p.cls < 5 ? 'vehicle or beast' : 'other');
    assert.throws(() => knn.trainLinear({ epochs: 0 }), /epochs must be a whole number from 1 to 100000, got 0/);
    const a = knn.trainLinear(), b = knn.trainLinear({ epochs: undefined });
    assert.deepEqual(await a.classify(photos[0].bytes), await b.classify(photos[0].bytes));
    let right = 0;
    for (const p of photos) if ((await a.classify(p.bytes))[0].label === (p.cls < 5 ? 'vehicle or beast' : 'other')) right++;
    assert.ok(right >= 36, `the head fits ${right} of its 40 examples`);
    assert.equal(a.trainingAccuracy, right / photos.length);
    const source = readFileSync(join(ROOT, 'sdk', 'models', 'default.pack'));
    const pack = await a.toPack(source, { name: 'two-groups' });
    const mine = await load({ model: pack });
    assert.deepEqual(mine.model.labels, ['vehicle or beast', 'other']);
    assert.equal(mine.model.dtype, 'int8');
    assert.equal(mine.model.name, 'two-groups');
    const top = await mine.classify(photos[0].bytes);
    assert.equal(top[0].label, (await a.classify(photos[0].bytes))[0].label);
    await assert.rejects(a.toPack(pack), { code: 'PACK_INVALID' });
    mine.dispose();
    clf.dispose();
  });

  it('resnet-edge teach <folder> -o <pack>, then eval on a folder of the same shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teach-'));
    try {
      /** ImageFolder: <root>/my <class>/<n>.jpg, the first `perClass` JPEGs of cat, frog and ship. */
      const write = (root: string, archive: string, perClass: number) => {
        const count = new Map<string, number>();
        for (const e of cifar(archive)) {
          const name = CLASSES[e.cls], n = (count.get(name) ?? 0) + 1;
          if (!['cat', 'frog', 'ship'].includes(name) || n > perClass) continue;
          count.set(name, n);
          mkdirSync(join(dir, root, `my ${name}`), { recursive: true });
          writeFileSync(join(dir, root, `my ${name}`, `${n}.jpg`), e.bytes);
        }
      };
      write('train', 'train.tar.gz', 30);
      write('test', 'test.tar.gz', 100);
      const pack = join(dir, 'mine.pack');
      const taught = await cli('teach', join(dir, 'train'), '-o', pack);
      assert.equal(taught.code, 0, taught.stderr);
      assert.match(taught.stdout, /^wrote .*mine\.pack \(3 labels, int8, 0\.2\d MB\)\n$/);
      assert.match(taught.stderr, /teach: 90\/90 images/);
      assert.match(taught.stderr, /90 examples of 3 labels \(my cat 30, my frog 30, my ship 30\); the head gets \d+\.\d % of them right/);
      const ev = JSON.parse((await cli('eval', join(dir, 'test'), '-m', pack, '--json', '--workers', '1')).stdout) as { top1: number; n: number };
      assert.equal(ev.n, 300);
      assert.ok(ev.top1 >= 70, `top-1 ${ev.top1} %`);
      assert.equal((await cli('teach', join(dir, 'train'))).code, 2);
      const one = await cli('teach', join(dir, 'train', 'my cat'), '-o', join(dir, 'x.pack'));
      assert.match(one.stderr, /INVALID_ARGUMENT.*teach needs a sub-folder of images for each of at least 2 labels/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
