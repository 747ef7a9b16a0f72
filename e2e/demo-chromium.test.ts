/** The web demo in headless Chromium 156: WebGPU on (SwiftShader) and off, each with and without COOP/COEP; the camera. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoServer, teachInDemo, demoSuite } from './demo-suite.ts';
import { launchChromium } from '../tools/browser.ts';

const withGpu = () => launchChromium(['--enable-unsafe-webgpu']);
const noGpu = () => launchChromium();

demoSuite({ name: 'chromium-webgpu-isolated', launch: withGpu, isolated: true, backend: 'webgpu', expect: { backend: 'webgpu', webgpuReason: /^webgpu: adapter .*swiftshader/i } });
demoSuite({ name: 'chromium-webgpu', launch: withGpu, isolated: false, expect: { backend: 'wasm', webgpuReason: /emulates a GPU on the CPU, where SIMD wasm is faster/ } });
demoSuite({ name: 'chromium-isolated', launch: noGpu, isolated: true, expect: { backend: 'wasm', webgpuReason: /requestAdapter\(\) returned null/ } });
demoSuite({ name: 'chromium', launch: noGpu, isolated: false, expect: { backend: 'wasm', webgpuReason: /requestAdapter\(\) returned null/ } });

describe('demo in chromium: the camera (fake capture device)', () => {
  let s: Awaited<ReturnType<typeof demoServer>>;
  before(async () => { s = await demoServer(() => launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'])); });
  after(async () => { await s?.close(); });

  it('turning the camera on classifies its frames continuously; turning it off stops', async () => {
    const page = await s.open();
    await page.click('#camera');
    await page.waitForFunction(() => Number(document.body.dataset.classified ?? 0) >= 3, undefined, { timeout: 60_000 });
    assert.equal(await page.textContent('#camera'), 'Turn off the camera');
    assert.equal(await page.$$eval('#results li', (l) => l.length), 5);
    await page.click('#camera');
    await page.waitForTimeout(1000);
    const stopped = await page.evaluate(() => Number(document.body.dataset.classified));
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => Number(document.body.dataset.classified)), stopped);
    assert.equal(await page.$eval('#video', (v) => (v as HTMLVideoElement).hidden), true);
  });
});

describe('demo in chromium: teach mode', () => {
  let s: Awaited<ReturnType<typeof demoServer>>;
  before(async () => { s = await demoServer(() => launchChromium()); });
  after(async () => { await s?.close(); });
  it('two labels taught from photos on the page; the photos come out as them', async () => teachInDemo(await s.open()));
});
