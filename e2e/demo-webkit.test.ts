/**
 * The web demo in WebKitGTK (Debian's webkit2gtk 4.1 MiniBrowser) through WebKitWebDriver + selenium-webdriver on
 * a virtual display (xvfb-run): wasm only (WebKitGTK has no WebGPU here). Drops the photos like a person and
 * compares the bars with Node's top-5 for the default pack and a converted ResNet-18.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { WebDriver } from 'selenium-webdriver';
import { serve } from '../tools/browser.ts';
import { launchWebKit } from '../tools/webkit.ts';
import { assertMatchesNode, PHOTOS, prepare, R18, SHOTS } from './demo-suite.ts';

async function dropFile(driver: WebDriver, file: string): Promise<void> {
  await driver.executeScript(`
    const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], arguments[1], { type: arguments[1].endsWith('.png') ? 'image/png' : 'image/jpeg' }));
    document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));`,
  readFileSync(file).toString('base64'), file.split('/').pop());
}

async function bars(driver: WebDriver, count: number): Promise<{ label: string; probability: number }[]> {
  await driver.wait(async () => Number(await driver.executeScript('return document.body.dataset.classified || 0')) >= count, 120_000);
  return driver.executeScript('return [...document.querySelectorAll("#results li")].map((li) => ({ label: li.dataset.label, probability: Number(li.dataset.probability) }))');
}

const settings: { name: string; isolated: boolean; sharedMemory: boolean; wasm: RegExp }[] = [
  // The default model and the ResNet-18 are int8 packs: resnet-edge's int8 kernels run them, on threads when isolated.
  { name: 'webkitgtk', isolated: false, sharedMemory: false, wasm: /^wasm: resnet-edge's int8 kernels, (relaxed SIMD|SIMD128 \(no relaxed SIMD here\)), 1 thread: the page is not cross-origin isolated/ },
  { name: 'webkitgtk-isolated', isolated: true, sharedMemory: true, wasm: /^wasm: resnet-edge's int8 kernels, (relaxed SIMD|SIMD128 \(no relaxed SIMD here\)), [2-9] threads: one per core \(\d+ cores\)(; fused dot products \(no probe for a model this small\))?; 3×3 convolutions by Winograd F\(4×4, 3×3\) and F\(2×2, 3×3\)$/ },
];

settings.forEach((setting, k) => describe(`demo in ${setting.name} (WebKitWebDriver, xvfb)`, () => {
  let driver: WebDriver, browser: Awaited<ReturnType<typeof launchWebKit>> | undefined, server: Server, base: string;
  before(async () => {
    const { dist, r18 } = await prepare();
    ({ server, url: base } = await serve({ '/': dist }, { [R18]: r18 }, setting.isolated));
    browser = await launchWebKit({ sharedMemory: setting.sharedMemory, slot: k });
    driver = browser.driver;
  });
  after(async () => { await browser?.close(); server?.close(); });

  const ready = () => driver.wait(async () => (await driver.executeScript('return document.body.dataset.ready')) === 'true', 120_000);

  it('default model and a converted ResNet-18: the bars are Node\'s top-5; wasm and why', async () => {
    await driver.get(`${base}/index.html`);
    await ready();
    assert.equal(await driver.executeScript('return document.getElementById("backend").textContent'), 'wasm');
    const reasons: string[] = await driver.executeScript('return [...document.querySelectorAll("#reasons li")].map((li) => li.textContent)');
    assert.match(reasons[0], /^webgpu: navigator\.gpu is not available/);
    assert.match(reasons[1], setting.wasm);
    console.log(`${setting.name}: ${reasons[1]}`);
    await dropFile(driver, PHOTOS.cat);
    assertMatchesNode(await bars(driver, 1), 'default/cat');
    await dropFile(driver, PHOTOS.coffee);
    assertMatchesNode(await bars(driver, 2), 'default/coffee');
    writeFileSync(join(SHOTS, `${setting.name}-default-coffee.png`), await driver.takeScreenshot(), 'base64');
    await driver.executeScript(`document.getElementById('model-choice').value = 'url';
      document.getElementById('model-url').value = arguments[0]; document.getElementById('load').click();`, `${base}${R18}`);
    await driver.wait(async () => String(await driver.executeScript('return document.getElementById("model-name").textContent')).includes('1000 classes'), 120_000);
    await ready();
    await dropFile(driver, PHOTOS.cat);
    assertMatchesNode(await bars(driver, 3), 'resnet18/cat');
  });
}));
