/**
 * Bad images, as users really have them: each gets a typed error or the right answer (the pixels PIL decodes, which
 * torchvision classifies), quickly, and the same classifier answers correctly afterwards (int8 kernels and tfjs).
 * The files come from tools/bad_images.py (PIL); 0×0, 1×1 and 16-bit PNGs are written here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decode, encode } from 'fast-png';
import { ImageError, load } from 'resnet-edge';
import { MODELS, ROOT } from './helpers.ts';

const DIR = join(MODELS, 'bad-images');
const file = (name: string) => readFileSync(join(DIR, name));
const cat = readFileSync(join(ROOT, 'demos/assets/cat.png'));

/** A PNG with any declared size (IHDR), the given raw scanlines deflated. */
function png(width: number, height: number, scanlines: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = new Uint8Array(4 + data.length);
    body.set(new TextEncoder().encode(type));
    body.set(data, 4);
    const out = new Uint8Array(12 + data.length), v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(body, 4);
    v.setUint32(8 + data.length, crc32(body));
    return out;
  };
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, width); v.setUint32(4, height); ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', new Uint8Array(0))];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}

type Case = [name: string, bytes: () => Uint8Array | string, expect: { code: string; message: RegExp } | { sameAs: () => Uint8Array | object }];

const CASES: Case[] = [
  ['0×0 PNG', () => png(0, 0, new Uint8Array(0)), { code: 'IMAGE_DECODE', message: /PNG/ }],
  ['0×0 pixels', () => ({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }) as never, { code: 'IMAGE_INVALID', message: /0×0/ }],
  ['1×1 PNG (the same logits as its raw pixel)', () => png(1, 1, Uint8Array.from([0, 200, 120, 40])), { sameAs: () => ({ data: Uint8Array.from([200, 120, 40]), width: 1, height: 1, channels: 3 }) }],
  ['10000×10000 JPEG', () => file('10000x10000.jpg'), { code: 'IMAGE_TOO_LARGE', message: /10000×10000 \(100 megapixels\), above resnet-edge's 64-megapixel limit/ }],
  ['10000×10000 PNG', () => file('10000x10000.png'), { code: 'IMAGE_TOO_LARGE', message: /10000×10000/ }],
  ['16-bit RGB PNG (the same logits as the 8-bit image)', () => {
    const img = decode(cat);
    return encode({ width: img.width, height: img.height, channels: img.channels, depth: 16, data: Uint16Array.from(img.data as Uint8Array, (v) => v * 257) });
  }, { sameAs: () => cat }],
  ['grayscale JPEG (the same logits as PIL\'s decoding of it)', () => file('gray.jpg'), { sameAs: () => file('gray-pil.png') }],
  ['CMYK JPEG', () => file('cmyk.jpg'), { code: 'IMAGE_UNSUPPORTED', message: /CMYK JPEG.*Save it as RGB/ }],
  ['truncated JPEG', () => file('truncated.jpg'), { code: 'IMAGE_DECODE', message: /truncated/ }],
  ['a PDF renamed .jpg (by path)', () => join(DIR, 'document.pdf.jpg'), { code: 'IMAGE_UNSUPPORTED', message: /Not a JPEG or PNG image .*%PDF/ }],
  ['an SVG', () => file('drawing.svg'), { code: 'IMAGE_UNSUPPORTED', message: /SVG.*canvas/ }],
];

describe('bad images', () => {
  for (const compute of ['int8', 'float32'] as const) {
    it(`(compute ${compute}) typed errors or the right answer, each within 1 s, and the classifier still answers right`, async () => {
      const clf = await load({ backend: 'wasm', compute });
      const want = await clf.classify(cat);
      for (const [name, bytes, expect] of CASES) {
        const t0 = performance.now();
        if ('sameAs' in expect) {
          assert.deepEqual(await clf.logits(bytes() as Uint8Array), await clf.logits(expect.sameAs() as Uint8Array), name);
        } else {
          await assert.rejects(clf.classify(bytes() as Uint8Array), (e: any) => {
            assert.ok(e instanceof ImageError, `${name}: ${e?.constructor?.name} ${e?.message}`);
            assert.equal(e.code, expect.code, `${name}: ${e.message}`);
            assert.match(e.message, expect.message, name);
            return true;
          });
        }
        assert.ok(performance.now() - t0 < 1000, `${name} took ${(performance.now() - t0).toFixed(0)} ms`);
        assert.deepEqual(await clf.classify(cat), want, `after ${name}`);
      }
      clf.dispose();
    });
  }
});
