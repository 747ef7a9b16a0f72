/**
 * The bench page in WebKitGTK (Safari's engine: SIMD128, no relaxed SIMD), cross-origin isolated with
 * SharedArrayBuffer on, driven through WebDriver (tools/webkit.ts). Each measurement loads the page afresh.
 */
import { launchWebKit } from '../../../tools/webkit.ts';
import { serveBenchPage } from './browser.ts';

export async function benchWebKit(): Promise<{ call<T>(fn: 'latency' | 'threadScaling', ...args: unknown[]): Promise<T>; close(): Promise<void>; version: string }> {
  const { server, url } = await serveBenchPage();
  const browser = await launchWebKit({ sharedMemory: true });
  const { driver } = browser;
  await driver.manage().setTimeouts({ script: 20 * 60_000 });
  const caps = await driver.getCapabilities();
  return {
    version: `WebKitGTK ${caps.get('browserVersion') ?? ''}`.trim(),
    // executeAsyncScript hands the script a callback as its last argument; errors come back as { error }.
    call: async <T>(fn: string, ...args: unknown[]) => {
      await driver.get(`${url}/index.html`);
      await driver.wait(async () => Boolean(await driver.executeScript('return window.bench?.ready')), 60_000);
      const r = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
        window.bench[arguments[0]](...arguments[1]).then((value) => done({ value }), (e) => done({ error: String(e && e.stack || e) }));`, fn, args) as { value?: T; error?: string };
      if (r.error) throw new Error(`WebKitGTK bench page: ${r.error}`);
      return r.value as T;
    },
    close: async () => { await browser.close(); server.close(); },
  };
}
