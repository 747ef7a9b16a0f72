/** The CLI as a user runs it: convert prints the quantization error, classify --json, eval of a folder. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { MODELS, SHARED, cli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'resnet-edge-cli-'));
const pack = join(dir, 'r20.pack');

describe('resnet-edge CLI', () => {
  before(async () => {
    const r = await cli('convert', join(SHARED, 'models/cifar-resnet/resnet20.safetensors'), '-o', pack);
    assert.equal(r.code, 0, r.stderr);
  });
  it('convert prints a per-layer and total quantization error', async () => {
    const r = await cli('convert', join(MODELS, 'resnet18.onnx'), '-o', join(dir, 'r18.pack'), '--dtype', 'int8');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^layer4\.1\.conv2\s+\d\.\d+e-\d+/m);
    assert.match(r.stderr, /^total\s+\d\.\d+e-\d+\s+\S+\s+\d+\.\d/m);
    assert.match(r.stdout, /wrote .*r18\.pack \(int8, 11\.\d\d MB\)/);
  });
  it('classify --json: one array per image of {label, index, probability}', async () => {
    const r = await cli('classify', join(SHARED, 'images/chelsea.png'), join(SHARED, 'images/rocket.jpg'), '--model', pack, '--top', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.length, 2);
    assert.deepEqual(Object.keys(out[0][0]).sort(), ['index', 'label', 'probability']);
    assert.equal(out[0].length, 3);
    assert.equal(out[0][0].label, 'cat');
  });
  it('eval of a <class>/<image> folder', async () => {
    const root = join(dir, 'set');
    for (const [cls, img] of [['cat', 'chelsea.png'], ['airplane', 'rocket.jpg']]) {
      mkdirSync(join(root, cls), { recursive: true });
      writeFileSync(join(root, cls, img), readFileSync(join(SHARED, 'images', img)));
    }
    const r = await cli('eval', root, '--model', pack, '--json');
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.n, 2);
    assert.ok(res.top1 >= 50 && res.top5 === 100);
    assert.ok(res.imagesPerSecond > 0);
  });
  it('eval --workers 2 (one classifier per worker thread) counts exactly what one thread counts', async () => {
    const archive = join(SHARED, 'data/cifar10/test.tar.gz');
    const [one, two] = await Promise.all(['1', '2'].map(async (w) => JSON.parse((await cli('eval', archive, '--limit', '300', '--workers', w, '--json')).stdout)));
    assert.equal(one.workers, 1);
    assert.equal(two.workers, 2);
    assert.deepEqual([two.n, two.top1, two.top5], [one.n, one.top1, one.top5]);
    assert.equal(two.n, 300);
  });
  it('errors are typed, name the problem and exit non-zero', async () => {
    const r = await cli('classify', join(SHARED, 'images/README.md'), '--model', pack);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ImageError \[IMAGE_UNSUPPORTED\]: Not a JPEG or PNG/);
    const u = await cli('classify', join(SHARED, 'images/chelsea.png'), '--top', '0');
    assert.equal(u.code, 2);
    assert.match(u.stderr, /--top must be a positive integer/);
    const k = await cli('classify', join(SHARED, 'images/chelsea.png'), '--top', '11');
    assert.equal(k.code, 1);
    assert.match(k.stderr, /UsageError \[INVALID_ARGUMENT\]: topK must be an integer from 1 to 10/);
  });
});
