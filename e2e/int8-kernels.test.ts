/**
 * resnet-edge's int8 kernels in the browsers, against the scalar references of tests/int8-check.ts (bit for bit):
 * Chromium 156 has relaxed SIMD, so both paths run there (the relaxed one in both dot forms); Firefox ESR runs
 * whichever it validates.
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

    it('every path (and dot form) the browser runs is bit-identical to the references on 4 × 40 random shapes', async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/index.html`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 120_000 });
      type Result = { paths: string[]; probe: { form: string; speedup: number } | null; fails: Record<string, string[]>; error?: string };
      const result = await page.evaluate(() => (window as unknown as { result: Result }).result);
      console.log(`${name}: kernel paths ${result.paths?.join(', ')}; relaxed dot form ${JSON.stringify(result.probe)}`);
      assert.equal(result.error, undefined);
      if (paths) assert.deepEqual(result.paths, paths);
      assert.ok(result.paths.includes('simd'));
      const runs = result.paths.flatMap((p) => (p === 'relaxed' ? ['relaxed fused', 'relaxed paired'] : [p]));
      assert.deepEqual(Object.keys(result.fails).sort(), runs.sort());
      for (const run of runs) assert.deepEqual(result.fails[run], [], run);
      if (result.paths.includes('relaxed')) assert.ok(result.probe && ['fused', 'paired'].includes(result.probe.form), JSON.stringify(result.probe));
    });
  });
}
