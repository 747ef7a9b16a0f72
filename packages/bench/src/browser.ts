/** The bench page (page.ts) bundled and served with COOP/COEP, and headless Chromium 156 driving it. */
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serve, wasmDir } from '../../../tools/browser.ts';
import { MODELS_DIR, ROOT } from './files.ts';

const require = createRequire(import.meta.url);

/** page.ts bundled, and served on loopback with the models, ORT-web's and tfjs' wasm files (cross-origin isolated). */
export async function serveBenchPage(): Promise<{ url: string; server: Server }> {
  const out = join(ROOT, 'packages', 'bench', '.build');
  await build({ entryPoints: [join(import.meta.dirname, 'page.ts')], outfile: join(out, 'page.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], logLevel: 'error' });
  const ortDist = join(dirname(require.resolve('onnxruntime-web')), '..', 'dist');
  const html = new TextEncoder().encode('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
  return serve({ '/models/': MODELS_DIR, '/ort/': ortDist, '/wasm/': wasmDir(), '/': out }, { '/index.html': html }, true);
}

/** `jsFlags`: more V8 flags (e.g. --no-enable-avx-vnni). */
export async function benchBrowser(jsFlags: string[] = []): Promise<{ page(): Promise<Page>; close(): Promise<void>; version: string }> {
  const { server, url } = await serveBenchPage();
  const browser: Browser = await launchChromium(['--enable-blink-features=ForceEagerMeasureMemory', `--js-flags=${['--expose-gc', ...jsFlags].join(' ')}`, '--enable-unsafe-webgpu']);
  return {
    version: browser.version(),
    page: async () => {
      const page = await (await browser.newContext()).newPage();
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      page.on('requestfailed', (r) => console.error(`request failed: ${r.url()}`)); // e.g. a node: import in the page
      await page.goto(`${url}/index.html`);
      await page.waitForFunction(() => (window as unknown as { bench?: { ready: boolean } }).bench?.ready, undefined, { timeout: 60_000 });
      return page;
    },
    close: async () => { await browser.close(); server.close(); },
  };
}
