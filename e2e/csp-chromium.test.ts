/**
 * The web demo under a strict Content-Security-Policy in Chromium: `default-src 'self'; script-src 'self'
 * 'wasm-unsafe-eval'` — no eval, no inline script or style, no blob: workers or images. Served cross-origin isolated,
 * so the int8 kernels try their blob: worker threads, are refused, run on 1 thread and say why. Driven like a person:
 * the default model answers the cat as Node does, a dropped photo too, and the page reports no CSP violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from 'node:http';
import { assertMatchesNode, dropFile, PHOTOS, prepare, readBars } from './demo-suite.ts';
import { launchChromium, serve } from '../tools/browser.ts';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

describe('demo under a strict CSP (Chromium)', () => {
  let browser: Browser, server: Server, base: string;
  before(async () => {
    const { dist } = await prepare();
    ({ server, url: base } = await serve({ '/': dist }, {}, true, { 'content-security-policy': CSP }));
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); server?.close(); });

  it(`works under "${CSP}": Node's answers, 1 thread and why, no other violation`, async () => {
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    await page.addInitScript(() => {
      (window as any).cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as any).cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`));
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const missing: string[] = [];
    page.on('response', (r) => { if (r.status() >= 400) missing.push(new URL(r.url()).pathname); });
    await page.goto(`${base}/index.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const reasons = (await page.$$eval('#reasons li', (lis) => lis.map((li) => li.textContent ?? ''))).join('\n');
    assert.equal(await page.textContent('#backend'), 'wasm');
    assert.match(reasons, /int8 kernels, relaxed SIMD, 1 thread: .*(blob|worker)/i, reasons);
    await dropFile(page, PHOTOS.cat);
    assertMatchesNode(await readBars(page, 1), 'default/cat');
    await dropFile(page, PHOTOS.coffee);
    assertMatchesNode(await readBars(page, 2), 'default/coffee');
    assert.equal(await page.isVisible('#preview'), true, 'the photo is shown');
    // The only refusals: the kernels' blob: worker threads, tried once at load (threads: 1 would not try).
    const violations: string[] = await page.evaluate(() => (window as any).cspViolations);
    assert.ok(violations.length > 0 && violations.every((v) => /^worker-src: blob$/.test(v)), violations.join('\n'));
    assert.deepEqual(missing.filter((p) => p !== '/favicon.ico'), []);
    assert.deepEqual(errors.filter((e) => !/^Creating a worker from 'blob:.*violates the following Content Security Policy/.test(e) && !/status of 404/.test(e)), []);
  });
});
