/**
 * The web demo driven like a person: wait for the model, drop a photo (or pick it), read the bars. Every browser
 * setting runs the same checks: the default pack and a converted ResNet-18 give Node's top-5 (same top-1,
 * probabilities within 1e-3), the page says which backend runs and why, and a screenshot is saved.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { load, type Prediction } from 'resnet-edge';
import { convertReference, ROOT } from '../tests/helpers.ts';
import { serve } from '../tools/browser.ts';
// @ts-expect-error plain ESM module without types
import { buildDemo } from '../demos/web/build.mjs';

export const SHOTS = join(import.meta.dirname, '.build', 'screenshots');
export const PHOTOS = { cat: join(ROOT, 'demos/assets/cat.png'), coffee: join(ROOT, 'demos/assets/coffee.png') };
export const R18 = '/packs/resnet18.pack';

let dist: string | undefined;
let r18: Uint8Array | undefined;
const nodeTop: Record<string, Prediction[]> = {};

/** Node's top-5 for the sample photos with the default pack and a converted ResNet-18 (whose pack it returns). */
export async function nodeAnswers(): Promise<Uint8Array> {
  if (r18) return r18;
  const pack = (await convertReference('resnet18', 'onnx', 'int8', { preprocess: { resize: 256, crop: 224 } })).pack;
  // wasm computes int8 packs in int8; WebGPU computes in float32: Node's answer for each (keys '…' and '…/float32').
  for (const [model, source] of [['default', undefined], ['resnet18', pack]] as const) {
    for (const compute of ['int8', 'float32'] as const) {
      const clf = await load({ model: source, backend: 'wasm', compute });
      for (const [name, file] of Object.entries(PHOTOS)) nodeTop[`${model}/${name}${compute === 'int8' ? '' : '/float32'}`] = await clf.classify(readFileSync(file));
      clf.dispose();
    }
  }
  return (r18 = pack);
}

/** The demo's build and Node's answers, made once per test file. */
export async function prepare(): Promise<{ dist: string; r18: Uint8Array }> {
  dist ??= await buildDemo(join(import.meta.dirname, '.build', 'demo'));
  return { dist: dist!, r18: await nodeAnswers() };
}

/** Drops a file on the drop zone the way a browser does for a person's drag and drop. */
export async function dropFile(page: Page, file: string): Promise<void> {
  const bytes = [...readFileSync(file)];
  const name = file.split('/').pop()!;
  const transfer = await page.evaluateHandle(([b, n]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b as number[])], n as string, { type: (n as string).endsWith('.png') ? 'image/png' : 'image/jpeg' }));
    return dt;
  }, [bytes, name] as const);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
}

export async function readBars(page: Page, count: number): Promise<{ label: string; probability: number }[]> {
  await page.waitForFunction((n) => Number(document.body.dataset.classified ?? 0) >= n, count, { timeout: 120_000 });
  return page.$$eval('#results li', (lis) => lis.map((li) => ({ label: (li as HTMLElement).dataset.label!, probability: Number((li as HTMLElement).dataset.probability) })));
}

export function assertMatchesNode(bars: { label: string; probability: number }[], key: string): void {
  const want = nodeTop[key];
  assert.equal(bars.length, 5);
  assert.equal(bars[0].label, want[0].label, key);
  bars.forEach((b, i) => {
    const w = want.find((p) => p.label === b.label);
    assert.ok(w, `${key}: ${b.label} not in Node's top-5`);
    assert.ok(Math.abs(w.probability - b.probability) <= 1e-3, `${key} bar ${i}: ${b.probability} vs ${w.probability}`);
  });
}

/**
 * Teach mode as a person uses it: show cat.png, name it "whiskers", add it; show coffee.png, "my mug", add it; turn
 * on "Answer with my labels": each photo now comes out as its own label; turned off, the model's labels are back.
 */
export async function teachInDemo(page: Page): Promise<void> {
  let shown = 0;
  const show = async (file: string) => { await dropFile(page, file); return readBars(page, ++shown); };
  for (const [i, [file, label]] of ([[PHOTOS.cat, 'whiskers'], [PHOTOS.coffee, 'my mug']] as const).entries()) {
    await show(file);
    await page.fill('#teach-label', label);
    await page.click('#teach-add');
    await page.waitForFunction((n) => Number(document.body.dataset.examples ?? 0) >= n, i + 1, { timeout: 60_000 });
  }
  assert.deepEqual(await page.$$eval('#teach-counts li', (l) => l.map((li) => li.textContent)), ['whiskers: 1 example', 'my mug: 1 example']);
  await page.check('#teach-mode');
  assert.deepEqual(await show(PHOTOS.cat), [{ label: 'whiskers', probability: 1 }, { label: 'my mug', probability: 0 }]);
  assert.deepEqual((await show(PHOTOS.coffee)).map((b) => b.label), ['my mug', 'whiskers']);
  await page.uncheck('#teach-mode');
  const bars = await show(PHOTOS.cat);
  assert.equal(bars.length, 5);
  assert.ok(!['whiskers', 'my mug'].includes(bars[0].label));
}

export interface DemoSetting {
  /** Name in test titles and screenshot files. */
  name: string;
  launch: () => Promise<Browser>;
  isolated: boolean;
  /** The backend the page must end up on, and a pattern for its reason. */
  expect: { backend: 'wasm' | 'webgpu'; webgpuReason: RegExp };
  /** The wasm reason expected for the int8 default model (default: relaxed SIMD kernels). */
  wasmReason?: RegExp;
  /** Backend chosen in the page's picker (default 'auto'). */
  backend?: 'auto' | 'webgpu' | 'wasm';
}

/** The demo served (not isolated) to a browser, for tests that are not about backends. */
export async function demoServer(launch: () => Promise<Browser>): Promise<{ open(): Promise<Page>; close(): Promise<void> }> {
  const { dist: root } = await prepare();
  const { server, url } = await serve({ '/': root }, {});
  const browser = await launch();
  return {
    open: async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/index.html`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      return page;
    },
    close: async () => { await browser.close(); server.close(); },
  };
}

export function demoSuite(setting: DemoSetting): void {
  let browser: Browser, server: Server, base: string;

  async function open(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1040, height: 860 } })).newPage();
    await page.goto(`${base}/index.html`);
    if (setting.backend) {
      await page.selectOption('#backend-choice', setting.backend);
      await page.click('#load');
    }
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    return page;
  }

  const on = (key: string) => (setting.expect.backend === 'webgpu' ? `${key}/float32` : key);
  describe(`demo in ${setting.name}`, () => {
    before(async () => {
      await prepare();
      ({ server, url: base } = await serve({ '/': dist! }, { [R18]: r18! }, setting.isolated));
      browser = await setting.launch();
      mkdirSync(SHOTS, { recursive: true });
    });
    after(async () => { await browser?.close(); server?.close(); });

    it('the default model: drop cat.png, pick coffee.png; the bars are Node\'s top-5; backend and reasons shown', async () => {
      const page = await open();
      assert.equal(await page.textContent('#backend'), setting.expect.backend);
      const reasons = await page.$$eval('#reasons li', (lis) => lis.map((li) => li.textContent ?? ''));
      assert.match(reasons.find((r) => r.startsWith('webgpu: ')) ?? '', setting.expect.webgpuReason);
      if (setting.backend !== 'webgpu') {
        const wasm = reasons.find((r) => r.startsWith('wasm: ')) ?? '';
        // The default model is int8: it runs on resnet-edge's int8 kernels (relaxed SIMD where the browser has it).
        assert.match(wasm, setting.wasmReason ?? (setting.isolated ? /^wasm: resnet-edge's int8 kernels, relaxed SIMD, 2 threads: one per core/
          : /^wasm: resnet-edge's int8 kernels, relaxed SIMD, 1 thread: the page is not cross-origin isolated/));
      }
      await dropFile(page, PHOTOS.cat);
      assertMatchesNode(await readBars(page, 1), on('default/cat'));
      assert.match(await page.textContent('#latency') ?? '', new RegExp(`^\\d+\\.\\d ms on ${setting.expect.backend}$`));
      await page.screenshot({ path: join(SHOTS, `${setting.name}-default-cat.png`) });
      await page.setInputFiles('#file', PHOTOS.coffee);
      assertMatchesNode(await readBars(page, 2), on('default/coffee'));
      await page.screenshot({ path: join(SHOTS, `${setting.name}-default-coffee.png`) });
      await page.context().close();
    });
    it('a converted ResNet-18 from a URL: progress reaches 1 and the bars are Node\'s top-5', async () => {
      const page = await open();
      await page.selectOption('#model-choice', 'url');
      await page.fill('#model-url', `${base}${R18}`);
      await page.click('#load');
      await page.waitForFunction(() => document.body.dataset.ready === 'true' && (document.getElementById('model-name')?.textContent ?? '').includes('1000 classes'), undefined, { timeout: 120_000 });
      assert.equal(await page.$eval('#progress', (p) => (p as HTMLProgressElement).value), 1);
      await dropFile(page, PHOTOS.cat);
      assertMatchesNode(await readBars(page, 1), on('resnet18/cat'));
      await page.setInputFiles('#file', PHOTOS.coffee);
      assertMatchesNode(await readBars(page, 2), on('resnet18/coffee'));
      await page.screenshot({ path: join(SHOTS, `${setting.name}-resnet18-coffee.png`) });
      await page.context().close();
    });
  });
}
