/**
 * Every browser image type in headless Chromium gives the Node result (probabilities within 1e-4), and fetched
 * packs are cached with their sha256 checked: a corrupted cached pack is detected and fetched again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { load } from 'resnet-edge';
import { convertReference, maxAbsDiff, SHARED } from '../tests/helpers.ts';
import { bundlePage, launchChromium, serve, wasmDir } from '../tools/browser.ts';

let browser: Browser, page: Page, server: Server, base: string;
let pack: Uint8Array;
const requests: string[] = [];
const softmax = (l: ArrayLike<number>) => { const a = Array.from(l); const m = Math.max(...a); const e = a.map((v) => Math.exp(v - m)); const s = e.reduce((x, y) => x + y); return e.map((v) => v / s); };
const api = <T>(fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => (globalThis as any).resnetEdge[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

before(async () => {
  pack = (await convertReference('resnet18', 'onnx', 'int8', { preprocess: { resize: 256, crop: 224 } })).pack;
  const build = await bundlePage('inputs');
  const html = new TextEncoder().encode('<!doctype html><meta charset="utf-8"><title>inputs</title><script type="module" src="/inputs.js"></script>');
  ({ server, url: base } = await serve({ '/wasm/': wasmDir(), '/img/': join(SHARED, 'images'), '/': build },
    { '/packs/r18.pack': pack, '/index.html': html }));
  server.on('request', (req) => requests.push(req.url ?? ''));
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => 'resnetEdge' in globalThis);
});

after(async () => {
  await browser?.close();
  server?.close();
});

describe('browser image inputs (headless Chromium)', () => {
  const KINDS = ['url', 'URL', 'blob', 'file', 'arraybuffer', 'imagebitmap', 'imagedata', 'img', 'canvas', 'offscreencanvas', 'videoframe'];
  for (const photo of ['chelsea.png', 'coffee.png']) {
    it(`${photo}: ${KINDS.join(', ')} give Node's probabilities`, async () => {
      await api('init', '/packs/r18.pack');
      const clf = await load({ model: pack, backend: 'wasm' });
      const node = softmax(await clf.logits(readFileSync(join(SHARED, 'images', photo))));
      clf.dispose();
      for (const kind of KINDS) {
        const got = softmax(await api<number[]>('logitsOf', kind, `/img/${photo}`));
        assert.ok(maxAbsDiff(got, node) <= 1e-4, `${kind}: ${maxAbsDiff(got, node)}`);
      }
    });
  }
  it('HTMLVideoElement: its current frame, as the app would read it, same top-1 as the photo', async () => {
    await api('init', '/packs/r18.pack');
    const [own, ours] = await api<number[][]>('videoReadback', '/img/chelsea.png');
    assert.ok(maxAbsDiff(softmax(own), softmax(ours)) <= 1e-4);
    const photo = softmax(await api<number[]>('logitsOf', 'url', '/img/chelsea.png'));
    const argmax = (a: number[]) => a.indexOf(Math.max(...a));
    assert.equal(argmax(softmax(ours)), argmax(photo));
  });
});

describe('Cache API', () => {
  it('a fetched pack is cached; a corrupted cached pack is detected and fetched again', async () => {
    const fetches = () => requests.filter((r) => r === '/packs/r18.pack').length;
    const n0 = fetches();
    const first = await api<{ origin: string }>('init', '/packs/r18.pack');
    const second = await api<{ origin: string }>('init', '/packs/r18.pack');
    assert.equal(second.origin, 'cache');
    assert.ok(['network', 'cache'].includes(first.origin));
    const n1 = fetches();
    assert.ok(n1 - n0 <= 1, 'the second load did not hit the network');
    await api('corruptCachedPack', `${base}/packs/r18.pack`);
    const third = await api<{ origin: string }>('init', '/packs/r18.pack');
    assert.equal(third.origin, 'network');
    assert.equal(fetches(), n1 + 1);
    const fourth = await api<{ origin: string }>('init', '/packs/r18.pack');
    assert.equal(fourth.origin, 'cache');
  });
});
