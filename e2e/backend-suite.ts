/**
 * The backend tests every browser runs: WebGPU equals wasm, 'auto' and diagnose() say why, and each
 * fallback (no navigator.gpu, no adapter, a limit too small, the device destroyed mid-run) answers right.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { convertReference, maxAbsDiff, MODELS } from '../tests/helpers.ts';
import { bundlePage, serve, wasmDir } from '../tools/browser.ts';
import type { BackendRun } from './pages/backends.ts';

export const softmax = (l: number[]): number[] => { const m = Math.max(...l); const e = l.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };

/** Init scripts that take WebGPU away in three ways. */
export const WITHOUT = {
  navigatorGpu: 'delete Navigator.prototype.gpu;',
  adapter: 'if (navigator.gpu) navigator.gpu.requestAdapter = async () => null;',
  limits: `if (navigator.gpu) { const r = navigator.gpu.requestAdapter.bind(navigator.gpu);
    navigator.gpu.requestAdapter = async (o) => { const a = await r(o); if (!a) return a;
      const limits = { maxStorageBufferBindingSize: 1 << 20, maxBufferSize: a.limits.maxBufferSize };
      return { limits, features: a.features, info: a.info, requestDevice: (d) => a.requestDevice(d) }; }; }`,
};

export interface Suite { browser: Browser; base: string; open(init?: string): Promise<Page> }

/** Serves the backends page (optionally cross-origin isolated) and opens fresh pages on it. */
export async function backendServer(launch: () => Promise<Browser>, isolated = false): Promise<Suite & { close(): Promise<void> }> {
  const packs = {
    '/packs/cifar20.pack': (await convertReference('cifar20', 'onnx', 'int8')).pack,
    '/packs/resnet18.pack': (await convertReference('resnet18', 'safetensors', 'int8')).pack,
  };
  const build = await bundlePage('backends');
  const html = new TextEncoder().encode('<!doctype html><meta charset="utf-8"><title>backends</title><script type="module" src="/backends.js"></script>');
  const { server, url: base }: { server: Server; url: string } = await serve({ '/wasm/': wasmDir(), '/models/': MODELS, '/': build },
    { ...packs, '/index.html': html }, isolated);
  const browser = await launch();
  const open = async (init?: string) => {
    const page = await (await browser.newContext()).newPage();
    if (init) await page.addInitScript(init);
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => 'resnetEdge' in globalThis, undefined, { timeout: 60_000 });
    return page;
  };
  return { browser, base, open, close: async () => { await browser.close(); server.close(); } };
}

export const run = (page: Page, pack: string, images: string[], options: object = {}, destroyAfterSubmits = 0): Promise<BackendRun> =>
  page.evaluate(([p, i, o, d]) => (globalThis as any).resnetEdge.run(p, i, o, d), [pack, images, options, destroyAfterSubmits] as const);

/** diagnose() in the page; `compute` as load()'s (default int8: resnet-edge's kernels; float32: tfjs-backend-wasm). */
export const diagnoseIn = (page: Page, softwareGpu = true, compute?: 'int8' | 'float32'): Promise<{ chosen: string | null; backends: BackendRun['diagnostics']; crossOriginIsolated: boolean }> =>
  page.evaluate(([sw, c]) => (globalThis as any).resnetEdge.diagnose(sw, c), [softwareGpu, compute] as const);

/** The adapters here are CPU emulations: tests that want WebGPU chosen by 'auto' allow them. */
const SW = { softwareGpu: true };

const IMAGES = { cifar20: '/models/input-32.png', resnet18: '/models/input-224.png' } as const;

/** `namesSoftware`: the browser tells the adapter's name, so 'auto' can see it is a CPU emulation. */
export function backendSuite(name: string, launch: () => Promise<Browser>, adapterPattern: RegExp, namesSoftware: boolean): void {
  let s: Awaited<ReturnType<typeof backendServer>>;
  before(async () => { s = await backendServer(launch); });
  after(async () => { await s?.close(); });

  describe(`${name}: WebGPU vs wasm`, () => {
    if (namesSoftware) {
      it("'auto' passes over the CPU-emulated adapter by default, saying so", async () => {
        const d = await diagnoseIn(await s.open(), false);
        assert.equal(d.chosen, 'wasm');
        assert.match(d.backends[0].reason, /emulates a GPU on the CPU, where SIMD wasm is faster/);
      });
    }
    it('diagnose() picks WebGPU and names the adapter; wasm is listed with its thread count', async () => {
      const d = await diagnoseIn(await s.open());
      assert.equal(d.chosen, 'webgpu', JSON.stringify(d));
      assert.match(d.backends[0].reason, adapterPattern);
      assert.match(d.backends[0].reason, /probe agrees with the reference/);
      assert.match(d.backends[1].reason, /^resnet-edge's int8 kernels, (relaxed SIMD|SIMD128[^,]*), 1 thread: the page is not cross-origin isolated/);
    });
    for (const model of ['cifar20', 'resnet18'] as const) {
      it(`${model} int8: WebGPU probabilities within 1e-3 of wasm computing in float32 (same top-1 as wasm's int8 compute)`, async (t) => {
        const page = await s.open();
        const gpu = await run(page, `/packs/${model}.pack`, [IMAGES[model]], SW);
        const wasm = await run(page, `/packs/${model}.pack`, [IMAGES[model]], { backend: 'wasm', compute: 'float32' });
        const int8 = await run(page, `/packs/${model}.pack`, [IMAGES[model]], { backend: 'wasm' });
        const top1 = (l: number[]) => l.indexOf(Math.max(...l));
        assert.equal(top1(int8.logits[0]), top1(gpu.logits[0]));
        assert.equal(gpu.backend, 'webgpu', JSON.stringify(gpu.diagnostics));
        assert.deepEqual(gpu.events, []);
        const diff = maxAbsDiff(softmax(gpu.logits[0]), softmax(wasm.logits[0]));
        t.diagnostic(`${name} ${model}: max |p_webgpu - p_wasm| = ${diff.toExponential(2)}`);
        assert.ok(diff <= 1e-3);
      });
    }
  });

  describe(`${name}: fallback to wasm`, () => {
    const expected = async () => (await run(await s.open(), '/packs/cifar20.pack', [IMAGES.cifar20], { backend: 'wasm' })).logits[0];
    const cases: [keyof typeof WITHOUT, RegExp][] = [
      ['navigatorGpu', /navigator\.gpu is not available/],
      ['adapter', /requestAdapter\(\) returned null/],
      ['limits', /maxStorageBufferBindingSize is 1\.0 MiB, but this model needs a 9\.0 MiB buffer for one image/],
    ];
    for (const [how, reason] of cases) {
      it(`without ${how}: auto answers on wasm and says why; 'webgpu' alone is NO_BACKEND`, async () => {
        const page = await s.open(WITHOUT[how]);
        const model = how === 'limits' ? 'resnet18' : 'cifar20';
        const r = await run(page, `/packs/${model}.pack`, [IMAGES[model]], SW);
        assert.equal(r.backend, 'wasm');
        assert.deepEqual(r.diagnostics.map((d) => [d.backend, d.ok]), [['webgpu', false], ['wasm', true]]);
        assert.match(r.diagnostics[0].reason, reason);
        const msg = await page.evaluate(async (m) => {
          try { await (globalThis as any).resnetEdge.run(m, [], { backend: 'webgpu' }); return 'resolved'; } catch (e) { return `${(e as any).name} [${(e as any).code}]: ${(e as Error).message}`; }
        }, `/packs/${model}.pack`);
        assert.match(msg, /^BackendError \[NO_BACKEND\]: No backend could be initialised:\n- webgpu: /);
        assert.match(msg, reason);
      });
    }
    it('device destroyed in the middle of a run: right answer on wasm, backendchange event', async () => {
      const r = await run(await s.open(), '/packs/cifar20.pack', [IMAGES.cifar20, IMAGES.cifar20], SW, 1);
      const want = await expected();
      assert.equal(r.backend, 'wasm');
      assert.equal(r.events.length, 1);
      assert.match(r.events[0], /^webgpu->wasm: the WebGPU device was lost/);
      r.logits.forEach((l) => assert.ok(maxAbsDiff(softmax(l), softmax(want)) <= 1e-4));
      assert.deepEqual(r.unhandled, [], 'no unhandled promise rejection');
    });
  });
}
