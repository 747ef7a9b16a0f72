/**
 * Preprocessing parity: on every photo of ../shared/images, decode + Resize(256) + CenterCrop(224) + ToTensor +
 * Normalize must give torchvision's tensor (computed on the PIL image by tools/reference.py) bit for bit; the fast
 * resize must give the bytes of the plain one (tests/resample-reference.ts) on random shapes, windows and channels.
 * These are unit tests of the SDK's internal preprocessing module.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeImage } from '../sdk/src/image/decode.ts';
import { preprocess, resizedSize, roundHalfEven } from '../sdk/src/preprocess.ts';
import { resizeWindow } from '../sdk/src/image/resample.ts';
import { resizeWindow as plainResizeWindow } from './resample-reference.ts';
import type { Preprocess } from '../sdk/src/pack/format.ts';
import { MODELS, SHARED, maxAbsDiff } from './helpers.ts';

const IMAGENET: Preprocess = {
  resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: 'RGB', interpolation: 'bilinear',
};

describe('preprocessing matches torchvision Resize(256) + CenterCrop(224) on PIL images', () => {
  const photos = readdirSync(join(SHARED, 'images')).filter((f) => /\.(png|jpg)$/.test(f));
  assert.ok(photos.length >= 5);
  for (const photo of photos) {
    it(photo, async () => {
      const img = (await decodeImage(readFileSync(join(SHARED, 'images', photo)))).image;
      const ours = preprocess(img, IMAGENET);
      const torch = new Float32Array(readFileSync(join(MODELS, 'preprocess', `${photo}.f32`)).buffer.slice(0));
      assert.equal(ours.length, 224 * 224 * 3);
      assert.equal(torch.length, ours.length);
      const differing = ours.filter((v, i) => v !== torch[i]).length;
      assert.equal(differing, 0, `${differing} values differ, by up to ${maxAbsDiff(ours, torch)}`);
    });
  }
});

describe('the fast resize gives the plain resize\'s bytes', () => {
  it('400 random images (1, 3, 4 channels; shrinking, growing, one side unchanged) and windows', () => {
    let seed = 12345;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    for (let i = 0; i < 400; i++) {
      const width = 1 + rand(300), height = 1 + rand(300), channels = ([1, 3, 4] as const)[rand(3)];
      const img = { data: new Uint8Array(width * height * channels).map(() => rand(256)), width, height, channels };
      const outW = rand(4) === 0 ? width : 1 + rand(400), outH = rand(4) === 0 ? height : 1 + rand(400);
      const cw = 1 + rand(outW), ch = 1 + rand(outH), left = rand(outW - cw + 1), top = rand(outH - ch + 1);
      const shape = `${width}×${height}×${channels} -> ${outW}×${outH}, window ${cw}×${ch} at ${left},${top}`;
      assert.deepEqual(resizeWindow(img, outW, outH, left, top, cw, ch), plainResizeWindow(img, outW, outH, left, top, cw, ch), shape);
    }
  });
});

describe('torchvision size arithmetic', () => {
  it('shorter side to the target, longer side truncated', () => {
    assert.deepEqual(resizedSize(451, 300, 256), [384, 256]);
    assert.deepEqual(resizedSize(512, 600, 256), [256, 300]);
    assert.deepEqual(resizedSize(1, 1, 256), [256, 256]);
  });
  it('crop offsets round half to even, like Python', () => {
    assert.equal(roundHalfEven(0.5), 0);
    assert.equal(roundHalfEven(1.5), 2);
    assert.equal(roundHalfEven(2.5), 2);
    assert.equal(roundHalfEven(3), 3);
  });
  it('grayscale and RGBA inputs give the RGB result (alpha dropped, gray replicated)', () => {
    const gray = new Uint8Array(40 * 30).map((_, i) => (i * 7) % 256);
    const rgba = new Uint8Array(40 * 30 * 4).map((_, i) => (i % 4 === 3 ? 17 : gray[i >> 2]));
    const a = preprocess({ data: gray, width: 40, height: 30, channels: 1 }, { ...IMAGENET, resize: 32, crop: 28 });
    const b = preprocess({ data: rgba, width: 40, height: 30, channels: 4 }, { ...IMAGENET, resize: 32, crop: 28 });
    assert.deepEqual(a, b);
  });
});
