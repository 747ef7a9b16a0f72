/**
 * resnet-edge's JPEG decoder (libjpeg-turbo in wasm: sdk/jpeg, tools/build-jpeg.mjs) against PIL on the photos and
 * variants of them (progressive, gray, 4:4:4, 4:2:2, odd sizes, restart markers): the same pixels at full size and at
 * every draft() scale; libjpeg's fatal errors become typed errors with its message; the committed module is what the
 * sources compile to.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeImage } from '../sdk/src/image/decode.ts';
import { decodeJpeg, draftScale } from '../sdk/src/image/jpeg.ts';
import { resizeWindow } from '../sdk/src/image/resample.ts';
import { ImageError } from '../sdk/src/errors.ts';
// @ts-expect-error plain ESM module without types
import { CLANG, compileJpeg, generated, OUTPUT, SYSROOT_INCLUDE } from '../tools/build-jpeg.mjs';
import { ROOT, SHARED } from './helpers.ts';

interface Decoded { size: [number, number]; mode: 'RGB' | 'L'; sha256: string }
const out = mkdtempSync(join(tmpdir(), 'jpeg-test-'));
after(() => rmSync(out, { recursive: true, force: true }));
const photos = ['grace_hopper.jpg', 'rocket.jpg'].map((f) => join(SHARED, 'images', f));
const pil: Record<string, { path: string; scales: Record<string, Decoded> }> = JSON.parse(execFileSync('/usr/bin/python3',
  [join(ROOT, 'tools', 'jpeg_reference.py'), '--out', out, ...photos], { encoding: 'utf8', maxBuffer: 1 << 24 }));

const sha256 = (b: Uint8Array | Uint8ClampedArray) => createHash('sha256').update(b).digest('hex');

describe('JPEG decoding', () => {
  it('gives PIL\'s pixels at full size and at 1/2, 1/4 and 1/8 (draft), on 14 files', async () => {
    assert.equal(Object.keys(pil).length, 14);
    for (const [name, { path, scales }] of Object.entries(pil)) {
      const bytes = readFileSync(path);
      for (const [scale, want] of Object.entries(scales)) {
        const got = (await decodeJpeg(bytes, Number(scale) as 1 | 2 | 4 | 8)).image; // never released: each decode has its own instance
        assert.deepEqual([got.width, got.height, got.channels], [...want.size, want.mode === 'L' ? 1 : 3], `${name} at 1/${scale}`);
        assert.equal(sha256(got.data), want.sha256, `${name} at 1/${scale}: pixels differ from PIL's`);
      }
    }
  });

  it('resizes decoded pixels in the decoder (SIMD128) to the bytes of resample.ts, on 14 files × 8 random windows', async () => {
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (const { path } of Object.values(pil)) {
      const pixels = await decodeJpeg(readFileSync(path));
      const img = pixels.image;
      for (let i = 0; i < 8; i++) {
        const outW = 1 + rand(2 * img.width), outH = 1 + rand(2 * img.height);
        const cw = 1 + rand(outW), ch = 1 + rand(outH), left = rand(outW - cw + 1), top = rand(outH - ch + 1);
        const got = pixels.resizeWindow!(img, outW, outH, left, top, cw, ch);
        const copy = { ...img, data: img.data.slice() };
        assert.deepEqual(got, resizeWindow(copy, outW, outH, left, top, cw, ch), `${path}: ${img.width}×${img.height} → ${outW}×${outH}, window ${cw}×${ch} at ${left},${top}`);
      }
      pixels.release();
    }
  });

  it('picks the scale PIL\'s draft() picks for a shorter side of at least minSide', () => {
    assert.equal(draftScale(4032, 3024, 256), 8); // 378 ≥ 256
    assert.equal(draftScale(1632, 1224, 256), 4); // 306
    assert.equal(draftScale(640, 427, 256), 1); // 427 / 2 < 256
    assert.equal(draftScale(3024, 4032, 224), 8);
    assert.equal(draftScale(32, 32, 32), 1);
  });

  it('reports libjpeg\'s fatal errors as IMAGE_DECODE with its message, and decodes the next file', async () => {
    const good = readFileSync(photos[0]);
    const at = (marker: number) => good.findIndex((v, i) => v === 0xff && good[i + 1] === marker);
    const precision = Uint8Array.from(good); precision[at(0xc0) + 4] = 12;
    const huffman = Uint8Array.from(good); huffman[at(0xc4) + 5] = 0xff; huffman[at(0xc4) + 6] = 0xff;
    for (const [bytes, message] of [[precision, /Unsupported JPEG data precision 12$/], [huffman, /Bogus Huffman table definition$/]] as const) {
      await assert.rejects(decodeImage(bytes), (e: unknown) => e instanceof ImageError && e.code === 'IMAGE_DECODE' && message.test(e.message));
      const img = (await decodeImage(good)).image;
      assert.equal(sha256(img.data), pil['grace_hopper.jpg'].scales[1].sha256);
    }
  });

  const tools = existsSync(SYSROOT_INCLUDE) && (() => { try { execFileSync(CLANG, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  it('the committed module is what sdk/jpeg and libjpeg-turbo 2.1.5 compile to', { skip: !tools && 'needs clang-19 and wasi-libc (pnpm build:jpeg)' }, () => {
    assert.equal(readFileSync(OUTPUT, 'utf8'), generated(compileJpeg()), 'run pnpm build:jpeg and commit the result');
  });
});
