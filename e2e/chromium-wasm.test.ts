/**
 * The SDK in a real browser: headless Chromium loads the public package (bundled by esbuild as an app would),
 * fetches a pack, and classifies on SIMD wasm. Logits must equal the Node results (probabilities within 1e-4).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { load } from 'resnet-edge';
import { convertReference, maxAbsDiff, MODELS, SHARED, reference } from '../tests/helpers.ts';
import { bundlePage, launchChromium, serve, wasmDir } from '../tools/browser.ts';
import type { PageResult } from './pages/classify.ts';

let browser: Browser, page: Page, server: Server, base: string;
const packs: Record<string, Uint8Array> = {};

const softmax = (l: number[]) => { const m = Math.max(...l); const e = l.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };

before(async () => {
  packs['/packs/cifar20-f32.pack'] = (await convertReference('cifar20', 'onnx', 'float32')).pack;
  packs['/packs/resnet18-int8.pack'] = (await convertReference('resnet18', 'safetensors', 'int8')).pack;
  const build = await bundlePage('classify');
  const html = new TextEncoder().encode('<!doctype html><meta charset="utf-8"><title>resnet-edge e2e</title><script type="module" src="/classify.js"></script>');
  ({ server, url: base } = await serve({ '/wasm/': wasmDir(), '/img/': join(SHARED, 'images'), '/models/': MODELS, '/': build },
    { ...packs, '/index.html': html }));
  browser = await launchChromium();
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => 'resnetEdgeRun' in globalThis, undefined, { timeout: 30_000 });
  assert.deepEqual(errors, []);
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function inPage(pack: string, images: string[]): Promise<PageResult> {
  return page.evaluate(([p, i]) => (globalThis as any).resnetEdgeRun(p, i), [pack, images] as const);
}

async function inNode(pack: string, files: string[]): Promise<number[][]> {
  const clf = await load({ model: packs[pack], backend: 'wasm' });
  try {
    return await Promise.all(files.map(async (f) => Array.from(await clf.logits(readFileSync(f)))));
  } finally {
    clf.dispose();
  }
}

describe('headless Chromium, SIMD wasm', () => {
  it('CIFAR ResNet-20 (float32): same logits as Node and PyTorch', async () => {
    const r = await inPage('/packs/cifar20-f32.pack', ['/models/input-32.png', '/img/chelsea.png', '/img/rocket.jpg']);
    assert.equal(r.backend, 'wasm');
    assert.match(r.diagnostics[0].reason, /^SIMD WebAssembly from \/wasm\//);
    const node = await inNode('/packs/cifar20-f32.pack', [join(MODELS, 'input-32.png'), join(SHARED, 'images/chelsea.png'), join(SHARED, 'images/rocket.jpg')]);
    r.results.forEach((res, i) => assert.ok(maxAbsDiff(softmax(res.logits), softmax(node[i])) <= 1e-4, `image ${i}`));
    assert.ok(maxAbsDiff(softmax(r.results[0].logits), reference('cifar20').probabilities) <= 1e-4);
  });
  it('ResNet-18 (int8): same top-5 and probabilities as Node', async () => {
    const r = await inPage('/packs/resnet18-int8.pack', ['/models/input-224.png', '/img/grace_hopper.jpg']);
    const node = await inNode('/packs/resnet18-int8.pack', [join(MODELS, 'input-224.png'), join(SHARED, 'images/grace_hopper.jpg')]);
    r.results.forEach((res, i) => {
      assert.ok(maxAbsDiff(softmax(res.logits), softmax(node[i])) <= 1e-4, `image ${i}`);
      assert.equal(res.top.length, 5);
    });
  });
  it('a pack URL that answers 404 is a typed PackError', async () => {
    const msg = await page.evaluate(async () => {
      const { resnetEdgeRun } = globalThis as any;
      try { await resnetEdgeRun('/packs/missing.pack', []); return 'resolved'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; }
    });
    assert.match(msg, /PackError: .*HTTP 404/);
  });
  it('wasm files served as an HTML 404 give a NO_BACKEND error naming the URL and what came back', async () => {
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${base}/index.html`);
      await fresh.waitForFunction(() => 'resnetEdgeRun' in globalThis);
      const msg = await fresh.evaluate(async () => {
        try { await (globalThis as any).resnetEdgeRun('/packs/cifar20-f32.pack', [], '/no-such-dir/'); return 'resolved'; } catch (e) { return `${(e as any).name} [${(e as any).code}]: ${(e as Error).message}`; }
      });
      assert.match(msg, /^BackendError \[NO_BACKEND\]/);
      assert.match(msg, /wasm file at http:\/\/127\.0\.0\.1:\d+\/no-such-dir\/tfjs-backend-wasm-simd\.wasm answered HTTP 404 \(text\/html\) starting with "<h1>404<\/h1>"/);
    } finally {
      await fresh.close();
    }
  });
});
