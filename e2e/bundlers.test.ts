/**
 * A user's app, in its own project that installs the packed sdk tarball with npm, built by Vite, webpack and
 * rollup, served and run in headless Chromium: the embedded model and
 * the wasm binaries are found with no resnet-edge configuration (Vite, webpack) or with the documented copy
 * step (rollup), and the answer equals Node's. Without the copy step, the error names the URL that failed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { load } from 'resnet-edge';
import { maxAbsDiff, ROOT } from '../tests/helpers.ts';
import { launchChromium, serve } from '../tools/browser.ts';
import { buildRollup, buildVite, buildWebpack, installConsumer } from './bundlers/build.ts';

interface AppResult { backend?: string; diagnostics?: { backend: string; ok: boolean; reason: string; threads?: number }[]; top?: { label: string; index: number; probability: number }[]; error?: string }

let browser: Browser;
let expected: { label: string; index: number; probability: number }[];
let expectedFloat: typeof expected;
const CAT = join(ROOT, 'demos', 'assets', 'cat.png');

before(async () => {
  installConsumer();
  browser = await launchChromium();
  const clf = await load({ backend: 'wasm' });
  expected = await clf.classify(CAT);
  clf.dispose();
  const float = await load({ backend: 'wasm', compute: 'float32' });
  expectedFloat = await float.classify(CAT);
  float.dispose();
});
after(async () => { await browser?.close(); });

/** A request the page made: its path and the gzip size of its body. */
interface Fetched { path: string; gzipBytes: number }

/**
 * Serves a build (with the photo at /cat.png) and returns what the app reports, every request that failed, every
 * request the page made and the errors it did not catch.
 */
async function runApp(dir: string, root = dir, isolated = false, query = ''): Promise<{ result: AppResult; missing: string[]; fetched: Fetched[]; uncaught: string[] }> {
  const prefix = dir === root ? '/' : `/${dir.slice(root.length + 1)}/`;
  const { server, url } = await serve({ '/': root }, { '/cat.png': readFileSync(CAT) }, isolated);
  const missing: string[] = [], bodies: Promise<Fetched>[] = [], uncaught: string[] = [];
  const page = await browser.newPage();
  page.on('pageerror', (e) => uncaught.push(e.message));
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400) missing.push(path);
    bodies.push(r.body().then((b) => ({ path, gzipBytes: gzipSync(b).length }), () => ({ path, gzipBytes: 0 })));
  });
  try {
    await page.goto(`${url}${prefix}index.html${query}`);
    await page.waitForFunction(() => 'resnetEdgeApp' in globalThis, undefined, { timeout: 60_000 });
    const result = await page.evaluate(() => (globalThis as any).resnetEdgeApp);
    return { result, missing, fetched: await Promise.all(bodies), uncaught };
  } finally {
    await page.close();
    server.close();
  }
}

function assertSameAnswer(r: AppResult, want = expected): void {
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.backend, 'wasm');
  assert.deepEqual(r.top!.map((p) => p.label), want.map((p) => p.label));
  assert.ok(maxAbsDiff(r.top!.map((p) => p.probability), want.map((p) => p.probability)) <= 1e-4);
}

describe('bundled apps in Chromium', () => {
  it('Vite 8: no configuration; the pack and tfjs wasm are emitted as assets', async () => {
    const { result, missing } = await runApp(await buildVite());
    assertSameAnswer(result);
    assert.deepEqual(missing, []);
  });
  it('Vite 8, the default int8 path: JavaScript ≤ 60 KB gzip in all, no tfjs request; on a COOP/COEP page 2 threads, no uncaught error', async () => {
    const dir = await buildVite();
    for (const isolated of [false, true]) {
      const { result, fetched, uncaught } = await runApp(dir, dir, isolated);
      assertSameAnswer(result);
      const js = fetched.filter((f) => f.path.endsWith('.js'));
      const kb = js.reduce((n, f) => n + f.gzipBytes, 0) / 1024;
      console.log(`# ${isolated ? 'COOP/COEP' : 'plain'} page: ${js.length} JS files, ${kb.toFixed(1)} KB gzip; requests: ${fetched.map((f) => f.path).join(' ')}`);
      assert.ok(kb <= 60, `${kb.toFixed(1)} KB gzip of JavaScript`);
      assert.deepEqual(fetched.filter((f) => /tfjs/i.test(f.path)), []);
      assert.deepEqual(uncaught, []);
      assert.equal(result.diagnostics!.find((d) => d.backend === 'wasm')!.threads, isolated ? availableParallelism() : 1);
    }
  });
  it('Vite 8, compute float32: tfjs is fetched then, and each of its wasm files once', async () => {
    const { result, fetched } = await runApp(await buildVite(), undefined, false, '?compute=float32');
    assertSameAnswer(result, expectedFloat);
    const wasm = fetched.filter((f) => f.path.endsWith('.wasm') && /tfjs/.test(f.path)).map((f) => f.path);
    assert.ok(wasm.length >= 1);
    assert.deepEqual(wasm, [...new Set(wasm)], `each tfjs wasm file once: ${wasm.join(' ')}`);
  });
  it('Vite 8 on a COOP/COEP page, compute float32 (tfjs): the minified thread factory fails in its workers; 1 thread runs, and says why', async () => {
    const { result } = await runApp(await buildVite(), undefined, true, '?compute=float32');
    assertSameAnswer(result, expectedFloat);
    const wasm = result.diagnostics!.find((d) => d.backend === 'wasm')!;
    assert.equal(wasm.threads, 1);
    assert.match(wasm.reason, /the threaded backend failed to start \(a worker reported: .*\), so 1 thread runs; a minifier probably rewrote/);
  });
  it('webpack 5: no configuration', async () => {
    const { result, missing } = await runApp(await buildWebpack());
    assertSameAnswer(result);
    assert.deepEqual(missing, []);
  });
  it('rollup 4 with node-resolve + commonjs and the README copy step', async () => {
    const dir = await buildRollup(true);
    const { result, missing } = await runApp(dir, join(dir, '..'));
    assertSameAnswer(result);
    assert.deepEqual(missing, []);
  });
  it('rollup without the copy step: typed errors naming the URL that answered 404, pack first, then (compute float32) tfjs wasm', async () => {
    const dir = await buildRollup(false);
    const first = await runApp(dir);
    assert.match(first.result.error ?? '', /^PackError \[PACK_NOT_FOUND\]: There is no pack at http:\/\/127\.0\.0\.1:\d+\/models\/default\.pack: the server answered HTTP 404/);
    mkdirSync(join(dir, 'models'));
    copyFileSync(join(ROOT, 'sdk', 'models', 'default.pack'), join(dir, 'models', 'default.pack'));
    // The int8 kernels travel inside the JavaScript: with the pack in place, the int8 default model runs.
    assertSameAnswer((await runApp(dir)).result);
    const second = await runApp(dir, dir, false, '?compute=float32');
    assert.match(second.result.error ?? '', /^BackendError \[NO_BACKEND\]: No backend could be initialised:\n- webgpu: .*\n- wasm: the wasm file at http:\/\/127\.0\.0\.1:\d+\/wasm\/tfjs-backend-wasm-simd\.wasm answered HTTP 404 \(text\/html\) starting with "<h1>404<\/h1>", not WebAssembly: the app's bundler did not emit resnet-edge's dist\/wasm\/ files/);
  });
});
