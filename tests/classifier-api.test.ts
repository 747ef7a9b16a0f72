/**
 * The classifier API beyond classify(): the paper's 10-crop test, embed(), every Node image input, EXIF
 * orientation, and loading (progress, abort, integrity).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { load, PackError, type Classifier, type LoadProgress } from 'resnet-edge';
import { decodeImage } from '../sdk/src/image/decode.ts';
import { applyOrientation, exifOrientation } from '../sdk/src/image/orientation.ts';
import { MODELS, SHARED, convertReference, maxAbsDiff, modelInput, reference } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'resnet-edge-api-'));
const CHELSEA = join(SHARED, 'images/chelsea.png');

describe('10-crop test (ResNet-18, float32)', () => {
  let tenCrop: Classifier, single: Classifier;
  before(async () => {
    const { convert } = await import('resnet-edge/convert');
    const onnx = readFileSync(join(MODELS, 'resnet18.onnx'));
    tenCrop = await load({ model: (await convert(onnx, { dtype: 'float32' })).pack, backend: 'wasm' });
    single = await load({ model: (await convertReference('resnet18', 'onnx', 'float32')).pack, backend: 'wasm' });
  });

  it("equals torchvision's Resize(256) + TenCrop(224), probabilities averaged, within 1e-4", async () => {
    const ref = (reference('resnet18') as any).tenCrop as { mean: number[] };
    const got = await tenCrop.classify(readFileSync(CHELSEA), { crops: 10, topK: 1000 });
    const probs = new Float64Array(1000);
    for (const p of got) probs[p.index] = p.probability;
    console.log(`10-crop vs torchvision TenCrop mean: max |p - p_torch| ${maxAbsDiff(probs, ref.mean).toExponential(2)}`);
    assert.ok(maxAbsDiff(probs, ref.mean) <= 1e-4, `${maxAbsDiff(probs, ref.mean)}`);
  });

  it('equals the mean of the ten single crops computed one by one', async () => {
    // torchvision's Resize(256) image, saved losslessly; cut the ten crops here and classify each with a 224/224 pack.
    const resized = (await decodeImage(readFileSync(join(MODELS, 'tencrop-resized.png')))).image;
    const { width: w, height: h, data } = resized;
    const c = 224, centre = [Math.round((w - c) / 2), Math.round((h - c) / 2)];
    const spots = [[0, 0], [w - c, 0], [0, h - c], [w - c, h - c], centre];
    const mean = new Float64Array(1000);
    const ref = (reference('resnet18') as any).tenCrop as { probabilities: number[][] };
    let k = 0;
    for (const mirror of [false, true]) {
      for (const [l, t] of spots) {
        const crop = new Uint8Array(c * c * 3);
        for (let y = 0; y < c; y++) {
          for (let x = 0; x < c; x++) {
            const sx = mirror ? w - 1 - (l + x) : l + x;
            for (let ch = 0; ch < 3; ch++) crop[(y * c + x) * 3 + ch] = data[((t + y) * w + sx) * resized.channels + ch];
          }
        }
        const preds = await single.classify({ data: crop, width: c, height: c, channels: 3 }, { topK: 1000 });
        const p = new Float64Array(1000);
        for (const q of preds) p[q.index] = q.probability;
        assert.ok(maxAbsDiff(p, ref.probabilities[k]) <= 1e-4, `crop ${k} differs from torchvision's crop ${k}`);
        p.forEach((v, i) => { mean[i] += v / 10; });
        k++;
      }
    }
    const got = await tenCrop.classify(readFileSync(CHELSEA), { crops: 10, topK: 1000 });
    const probs = new Float64Array(1000);
    for (const p of got) probs[p.index] = p.probability;
    console.log(`10-crop vs mean of ten single crops one by one: max difference ${maxAbsDiff(probs, mean).toExponential(2)}`);
    assert.ok(maxAbsDiff(probs, mean) <= 1e-4);
  });
});

describe('embed()', () => {
  for (const name of ['resnet18', 'resnet50', 'cifar20']) {
    it(`${name}: PyTorch's pooled features within 1e-4 (float32 pack)`, async () => {
      const clf = await load({ model: (await convertReference(name, 'safetensors', 'float32')).pack, backend: 'wasm' });
      try {
        const ref = reference(name);
        const f = await clf.embed(modelInput(ref));
        assert.equal(f.length, ref.features.length);
        console.log(`embed ${name}: max |f - f_torch| ${maxAbsDiff(f, ref.features).toExponential(2)} over ${f.length} features`);
        assert.ok(maxAbsDiff(f, ref.features) <= 1e-4, `${maxAbsDiff(f, ref.features)}`);
      } finally {
        clf.dispose();
      }
    });
  }
});

describe('Node image inputs', () => {
  let clf: Classifier, expected: Float32Array;
  const png = readFileSync(join(MODELS, 'input-32.png'));
  before(async () => {
    clf = await load({ model: (await convertReference('cifar20', 'onnx', 'float32')).pack, backend: 'wasm' });
    expected = await clf.logits(png);
    assert.ok(maxAbsDiff(expected, reference('cifar20').logits) < 1e-4);
  });
  it('Buffer, Uint8Array, ArrayBuffer, file path and file: URL give the same logits', async () => {
    const path = join(dir, 'in.png');
    writeFileSync(path, png);
    for (const input of [png, new Uint8Array(png), png.buffer.slice(png.byteOffset, png.byteOffset + png.length), path, pathToFileURL(path)]) {
      assert.deepEqual(await clf.logits(input as any), expected);
    }
  });
  it('raw RGB, RGBA and grayscale pixels', async () => {
    const img = (await decodeImage(png)).image;
    const rgb = new Uint8Array(32 * 32 * 3), rgba = new Uint8Array(32 * 32 * 4);
    for (let i = 0; i < 32 * 32; i++) {
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = rgba[i * 4 + c] = img.data[i * img.channels + c];
      rgba[i * 4 + 3] = 255;
    }
    assert.deepEqual(await clf.logits({ data: rgb, width: 32, height: 32, channels: 3 }), expected);
    assert.deepEqual(await clf.logits({ data: rgba, width: 32, height: 32 }), expected);
    const gray = rgb.filter((_, i) => i % 3 === 0);
    const grayRgb = Uint8Array.from(rgb, (_, i) => gray[Math.floor(i / 3)]);
    assert.deepEqual(await clf.logits({ data: gray, width: 32, height: 32, channels: 1 }), await clf.logits({ data: grayRgb, width: 32, height: 32 }));
  });
  it('grayscale, gray+alpha and 16-bit PNGs decode to the same pixels', async () => {
    const { encode } = await import('fast-png');
    const img = (await decodeImage(png)).image;
    const gray = new Uint8Array(32 * 32).map((_, i) => img.data[i * img.channels]);
    const want = await clf.logits({ data: gray, width: 32, height: 32, channels: 1 });
    const ga = new Uint8Array(32 * 32 * 2).map((_, i) => (i % 2 ? 255 : gray[i >> 1]));
    const g16 = new Uint16Array(32 * 32).map((_, i) => gray[i] * 257);
    for (const [data, channels, depth] of [[gray, 1, 8], [ga, 2, 8], [g16, 1, 16]] as const) {
      const bytes = encode({ width: 32, height: 32, data, channels, depth });
      assert.deepEqual(await clf.logits(bytes), want, `${channels} channel(s), ${depth} bits`);
    }
  });
  it('JPEG EXIF orientations 1-8 are displayed as PIL ImageOps.exif_transpose does', async () => {
    const sizes = JSON.parse(readFileSync(join(MODELS, 'orientation/sizes.json'), 'utf8')) as Record<string, [number, number]>;
    for (let o = 1; o <= 8; o++) {
      const jpg = readFileSync(join(MODELS, `orientation/orient-${o}.jpg`));
      assert.equal(await exifOrientation(jpg), o);
      const shown = applyOrientation((await decodeImage(jpg)).image, o);
      const pil = readFileSync(join(MODELS, `orientation/orient-${o}.rgb`));
      assert.deepEqual([shown.width, shown.height], sizes[o]);
      const rgb = new Uint8Array(shown.width * shown.height * 3);
      for (let i = 0; i < shown.width * shown.height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = shown.data[i * shown.channels + c];
      assert.deepEqual(rgb, new Uint8Array(pil), `orientation ${o}`);
      assert.deepEqual(await clf.logits(jpg), await clf.logits({ data: rgb, width: shown.width, height: shown.height, channels: 3 }));
    }
  });
});

describe('loading', () => {
  let packFile: string, bytes: Uint8Array;
  before(async () => {
    bytes = (await convertReference('resnet50', 'safetensors', 'int8')).pack;
    packFile = join(dir, 'r50.pack');
    writeFileSync(packFile, bytes);
  });
  it('progress goes download -> verify -> upload -> ready and reaches 100 % once', async () => {
    const events: LoadProgress[] = [];
    const clf = await load({ model: packFile, backend: 'wasm', onProgress: (p) => events.push(p) });
    clf.dispose();
    const phases = [...new Set(events.map((e) => e.phase))];
    assert.deepEqual(phases, ['download', 'verify', 'upload', 'ready']);
    assert.ok(events.filter((e) => e.phase === 'download').length > 10, 'a 26 MB file streams in many chunks');
    for (let i = 1; i < events.length; i++) assert.ok(events[i].fraction >= events[i - 1].fraction);
    assert.equal(events.filter((e) => e.fraction === 1).length, 1);
    assert.equal(events.at(-1)!.fraction, 1);
    assert.equal(events.at(-1)!.totalBytes, bytes.length);
  });
  it('an abort rejects with an AbortError and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    for (const at of ['download', 'verify', 'upload'] as const) {
      const ctl = new AbortController();
      await assert.rejects(
        load({ model: packFile, backend: 'wasm', signal: ctl.signal, onProgress: (p) => { if (p.phase === at) ctl.abort(); } }),
        (e: Error) => e.name === 'AbortError',
      );
      assert.equal(tf.memory().numTensors, before, `tensors left after an abort during ${at}`);
    }
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(load({ model: bytes, signal: ctl.signal }), (e: Error) => e.name === 'AbortError');
  });
  it('integrity: the file sha256 as hex or SRI base64 is accepted, anything else is PACK_INTEGRITY', async () => {
    const hash = createHash('sha256').update(bytes).digest();
    for (const integrity of [hash.toString('hex'), `sha256-${hash.toString('base64')}`]) {
      (await load({ model: packFile, backend: 'wasm', integrity })).dispose();
    }
    const wrong = createHash('sha256').update('another pack').digest('hex');
    await assert.rejects(load({ model: packFile, integrity: wrong }), (e: unknown) => e instanceof PackError && e.code === 'PACK_INTEGRITY');
  });
});
