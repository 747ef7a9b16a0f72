/**
 * resnet-edge's int8 kernels in the browsers, against the scalar references of tests/int8-check.ts (bit for bit):
 * Chromium 156 has relaxed SIMD, so both paths run there; Firefox ESR runs whichever it validates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { bundlePage, launchChromium, launchFirefox, serve } from '../tools/browser.ts';

const PAGE = new TextEncoder().encode('<!doctype html><script type="module" src="int8-kernels.js"></script>');

for (const [name, launch, paths] of [['chromium', () => launchChromium(), ['relaxed', 'simd']], ['firefox', () => launchFirefox(), undefined]] as const) {
  describe(`int8 kernels in ${name}`, () => {
    let browser: Browser, server: Server, url: string;
    before(async () => {
      ({ server, url } = await serve({ '/': await bundlePage('int8-kernels') }, { '/index.html': PAGE }));
      browser = await launch();
    });
    after(async () => { await browser?.close(); server?.close(); });

    it('every path the browser runs is bit-identical to the references on 4 × 40 random shapes', async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/index.html`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 120_000 });
      const result = await page.evaluate(() => (window as unknown as { result: { paths: string[]; fails: Record<string, string[]>; error?: string } }).result);
      console.log(`${name}: kernel paths ${result.paths.join(', ')}`);
      assert.equal(result.error, undefined);
      if (paths) assert.deepEqual(result.paths, paths);
      assert.ok(result.paths.includes('simd'));
      for (const p of result.paths) assert.deepEqual(result.fails[p], [], p);
    });
  });
}
