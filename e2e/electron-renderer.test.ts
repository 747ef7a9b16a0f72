/**
 * The Electron demo's renderer in Chromium 156 (the Chromium of Electron 45), loaded the way the app loads it:
 * every request is answered by the app's own app:// protocol handler (same bytes, CSP and COOP/COEP headers), the
 * built preload runs before the page with its `electron` answered by the main process's real IPC handlers (run in
 * Node by electron-fake.ts), and the page is driven like a person (electron-suite.ts). What differs from Electron:
 * the origin is http://127.0.0.1 instead of app://bundle, and the preload runs in the page's world, not an
 * isolated one (context isolation itself is Electron's; electron-main.test.ts checks the window asks for it).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../tools/browser.ts';
import { ipcEvent, startMain, type MainRecord } from './electron-fake.ts';
import { assertMatchesNode, PHOTOS, readBars } from './demo-suite.ts';
import { buildElectronApp, driveApp } from './electron-suite.ts';

const PAGE = 'app://bundle/index.html';

/** A loopback server whose every answer comes from the app's protocol handler for the same path. */
async function serveLikeTheApp(handler: (r: Request) => Promise<Response>, edit = (h: Record<string, string>) => h): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const answer = await handler(new Request(`app://bundle${req.url}`, { method: req.method }));
    res.writeHead(answer.status, edit(Object.fromEntries(answer.headers))).end(new Uint8Array(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** The built preload, run before the page's scripts; IPC answers cross as structured data (bytes as base64 here). */
function preloadScript(appDir: string): string {
  return `(() => {
    const fromWire = (v) => v && v.base64 !== undefined ? Uint8Array.from(atob(v.base64), (c) => c.charCodeAt(0))
      : Array.isArray(v) ? v.map(fromWire) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)])) : v;
    const electron = {
      contextBridge: { exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: Object.freeze(api) }) },
      ipcRenderer: { invoke: async (channel, ...args) => {
        const r = await window.__electronIpc(channel, ...args);
        if (r.error) throw new Error("Error invoking remote method '" + channel + "': Error: " + r.error);
        return fromWire(r.value);
      } },
    };
    const require = (id) => { if (id === 'electron') return electron; throw new Error('a sandboxed preload cannot require ' + id); };
    const module = { exports: {} };
    ${readFileSync(join(appDir, 'preload.cjs'), 'utf8')}
  })();`;
}

const toWire = (v: unknown): unknown => v instanceof Uint8Array ? { base64: Buffer.from(v).toString('base64') }
  : Array.isArray(v) ? v.map(toWire) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)])) : v;

describe('electron demo: the renderer in Chromium 156, served by the app\'s protocol handler', () => {
  let browser: Browser, main: MainRecord, appDir: string;
  const servers: Server[] = [];
  let next: string | undefined;

  before(async () => {
    appDir = await buildElectronApp('electron-renderer');
    main = await startMain(appDir, { dialog: () => ({ canceled: !next, filePaths: next ? [next] : [] }) });
    assert.equal(main.windows[0].url, PAGE);
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); servers.forEach((s) => s.close()); });

  /** The app's window: its page from the protocol handler (headers edited by `edit`), its preload, its IPC. */
  async function openApp(edit?: (h: Record<string, string>) => Record<string, string>): Promise<{ page: Page; violations: string[] }> {
    const { server, url } = await serveLikeTheApp(main.protocols.get('app')!, edit);
    servers.push(server);
    const page = await (await browser.newContext({ viewport: { width: 1040, height: 860 } })).newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.exposeFunction('__electronIpc', async (channel: string) => {
      try {
        return { value: toWire(await main.ipc.get(channel)!(ipcEvent(PAGE))) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
    await page.addInitScript(preloadScript(appDir));
    await page.goto(`${url}/index.html`);
    return { page, violations };
  }

  it('opens and drops photos, switches packs: Node\'s top-5 each time; int8 kernels on 2 threads; no CSP violation', async () => {
    const { page, violations } = await openApp();
    await driveApp(page, async (file) => { next = file; }, 'electron-renderer-chromium');
    assert.equal(await page.textContent('#backend'), 'wasm');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.match(await page.$eval('#reasons li[data-backend="wasm"]', (li) => li.textContent ?? ''), /^wasm: resnet-edge's int8 kernels, relaxed SIMD, 2 threads: one per core \(2 cores\); (fused dot products \(\d+\.\d× the paired form's speed in a start-up probe\)|paired dot products \(\d+\.\d× the fused form's speed in a start-up probe\); 3×3 convolutions by Winograd F\(4×4, 3×3\) and F\(2×2, 3×3\))$/); // the ResNet-18 pack is loaded by now
    assert.deepEqual(violations, []);

    // A cancelled dialog changes nothing; an error from the main process is shown and the app keeps working.
    next = undefined;
    await page.click('#open');
    next = join(appDir, 'models');
    await page.click('#open');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error') ?? '', /is not a file/);
    assert.equal(await page.evaluate(() => Number(document.body.dataset.classified)), 3);
    next = PHOTOS.coffee;
    await page.click('#open');
    assertMatchesNode(await readBars(page, 4), 'resnet18/coffee');
    await page.context().close();
  });

  it('a CSP without blob: workers: the kernels\' threads cannot start, 1 thread runs and the reason says why; same answers', async () => {
    const { page } = await openApp((h) => ({ ...h, 'content-security-policy': h['content-security-policy'].replace(" 'wasm-unsafe-eval' blob:;", " 'wasm-unsafe-eval';").replace(" blob:; img-src", "; img-src") }));
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    assert.match(await page.$eval('#reasons li[data-backend="wasm"]', (li) => li.textContent ?? ''),
      /^wasm: resnet-edge's int8 kernels, relaxed SIMD, 1 thread: the worker threads could not start \(.+\); fused dot products \(no probe for a model this small\); 3×3 convolutions by Winograd F\(4×4, 3×3\) and F\(2×2, 3×3\)$/);
    next = PHOTOS.cat;
    await page.click('#open');
    assertMatchesNode(await readBars(page, 1), 'default/cat');
    await page.context().close();
  });
});
