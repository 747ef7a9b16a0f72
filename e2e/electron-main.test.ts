/**
 * The Electron demo's main process and preload, run in Node with a stand-in `electron` module (electron-fake.ts):
 * the window is locked down, app:// serves the renderer and the packs and nothing else, the IPC handlers answer
 * only the app's page, and the sandboxed preload hands the page exactly two functions.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
// @ts-expect-error plain ESM module without types
import { buildApp } from '../demos/electron/build.mjs';
import { ROOT } from '../tests/helpers.ts';
import { ipcEvent, runPreload, startMain, type MainRecord } from './electron-fake.ts';

const APP = join(import.meta.dirname, '.build', 'electron-main');
const PAGE = 'app://bundle/index.html';
const CAT = join(ROOT, 'demos/assets/cat.png');
let picked: string[] = [];
let main: MainRecord;

const fetchApp = (url: string, method = 'GET') => main.protocols.get('app')!(new Request(url, { method }));
const invoke = (channel: string, from = PAGE) => main.ipc.get(channel)!(ipcEvent(from));

describe('electron demo: main process (Node, stand-in electron module)', () => {
  before(async () => {
    rmSync(APP, { recursive: true, force: true });
    await buildApp(APP);
    copyFileSync(join(APP, 'models', 'default.pack'), join(APP, 'models', 'a-custom.pack'));
    writeFileSync(join(APP, 'models', 'notes.txt'), 'not a pack');
    main = await startMain(APP, { dialog: () => ({ canceled: picked.length === 0, filePaths: picked }) });
  });

  it('one window: context isolation, sandbox, no Node integration, the bundled preload; it loads app://bundle/', () => {
    assert.equal(main.windows.length, 1);
    const prefs = main.windows[0].options.webPreferences;
    assert.deepEqual({ ...prefs, preload: undefined }, { contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, preload: undefined });
    assert.equal(prefs.preload, join(APP, 'preload.cjs'));
    assert.equal(main.windows[0].url, PAGE);
  });

  it('app:// is registered as a secure standard scheme with fetch before the app is ready', () => {
    assert.equal(main.privilegedBeforeReady, true);
    assert.deepEqual(main.privileged, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
  });

  it('app://bundle/ serves the renderer build and the packs with CSP and COOP/COEP', async () => {
    const page = await fetchApp(PAGE);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await page.text(), /<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:;/);
    assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'|\*/);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const pack = await fetchApp('app://bundle/models/default.pack');
    assert.deepEqual(new Uint8Array(await pack.arrayBuffer()), new Uint8Array(readFileSync(join(ROOT, 'sdk/models/default.pack'))));
    const simd = readdirSync(join(APP, 'renderer', 'assets')).find((f) => /^tfjs-backend-wasm-simd-.*\.wasm$/.test(f));
    assert.equal((await fetchApp(`app://bundle/assets/${simd}`)).headers.get('content-type'), 'application/wasm');
    const head = await fetchApp('app://bundle/models/default.pack', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('app:// serves nothing outside the renderer build and the models folder, and only reads', async () => {
    for (const url of [
      'app://bundle/../main.cjs', 'app://bundle/%2e%2e/main.cjs', 'app://bundle/models/..%2fmain.cjs', 'app://bundle/models/%2e%2e%2fpreload.cjs',
      'app://bundle/..%2f..%2f..%2fpackage.json', 'app://bundle/%2fetc%2fpasswd', 'app://bundle/models/%00default.pack', 'app://bundle/%E0%A4%A',
      'app://other/index.html', 'app://bundle/missing.js', 'app://bundle/models/', 'app://bundle/assets',
    ]) {
      const res = await fetchApp(url);
      assert.equal(res.status, 404, url);
    }
    assert.equal((await fetchApp(PAGE, 'POST')).status, 405);
  });

  it('IPC: the packs in the app\'s resources (default first); the picked image\'s bytes, or null when cancelled', async () => {
    assert.deepEqual(await invoke('resnet-edge:list-models'), ['default.pack', 'a-custom.pack']);
    picked = [];
    assert.equal(await invoke('resnet-edge:open-image'), null);
    picked = [CAT];
    const opened = await invoke('resnet-edge:open-image');
    assert.equal(opened.name, 'cat.png');
    assert.deepEqual(opened.bytes, new Uint8Array(readFileSync(CAT)));
    const [[options]] = main.dialogCalls.slice(-1) as [[{ properties: string[]; filters: { extensions: string[] }[] }]];
    assert.deepEqual(options.properties, ['openFile']);
    assert.ok(options.filters[0].extensions.includes('jpg'));
  });

  it('IPC: refuses callers other than the app\'s page, folders and images over 50 MiB', async () => {
    await assert.rejects(invoke('resnet-edge:list-models', 'https://example.com/'), /IPC refused: the caller \(https:\/\/example.com\/\) is not app:\/\/bundle\//);
    await assert.rejects(invoke('resnet-edge:open-image', 'file:///tmp/x.html'), /IPC refused/);
    picked = [join(APP, 'models')];
    await assert.rejects(invoke('resnet-edge:open-image'), /is not a file/);
    const big = join(APP, 'big.jpg');
    writeFileSync(big, '');
    truncateSync(big, 51 * 2 ** 20);
    picked = [big];
    await assert.rejects(invoke('resnet-edge:open-image'), /big\.jpg is 51\.0 MiB; the demo opens images up to 50 MiB/);
    rmSync(big);
  });

  it('no new windows, no navigation away from app://bundle/, no webviews, no permissions', () => {
    assert.deepEqual(main.windowOpenHandler!({ url: 'https://example.com/' }), { action: 'deny' });
    const navigate = (url: string) => {
      let prevented = false;
      main.contentsEvents.get('will-navigate')!({ preventDefault: () => { prevented = true; } }, url);
      return prevented;
    };
    assert.equal(navigate('https://example.com/'), true);
    assert.equal(navigate('file:///etc/passwd'), true);
    assert.equal(navigate('app://bundlex/index.html'), true);
    assert.equal(navigate('app://bundle/index.html'), false);
    let webview = false;
    main.contentsEvents.get('will-attach-webview')!({ preventDefault: () => { webview = true; } });
    assert.equal(webview, true);
    for (const permission of ['media', 'geolocation', 'notifications']) {
      let granted: boolean | undefined;
      main.permissionHandler!({}, permission, (g: boolean) => { granted = g; });
      assert.equal(granted, false, permission);
    }
  });

  it('a packaged app reads its packs from process.resourcesPath/models', async () => {
    const resources = join(APP, 'fake-resources');
    mkdirSync(join(resources, 'models'), { recursive: true });
    writeFileSync(join(resources, 'models', 'shipped.pack'), '');
    const saved = (process as { resourcesPath?: string }).resourcesPath;
    (process as { resourcesPath?: string }).resourcesPath = resources;
    try {
      const packaged = await startMain(APP, { isPackaged: true });
      assert.deepEqual(await packaged.ipc.get('resnet-edge:list-models')!(ipcEvent(PAGE)), ['shipped.pack']);
    } finally {
      (process as { resourcesPath?: string }).resourcesPath = saved;
    }
  });
});

describe('electron demo: preload (sandboxed: it may require only electron)', () => {
  it('exposes exactly window.resnetEdge = { openImage, listModels }, each one IPC call on its channel', async () => {
    const calls: unknown[][] = [];
    const { exposed } = runPreload(APP, async (...args) => { calls.push(args); return 'answer'; });
    assert.deepEqual([...exposed.keys()], ['resnetEdge']);
    const api = exposed.get('resnetEdge') as Record<string, (...a: unknown[]) => Promise<unknown>>;
    assert.deepEqual(Object.keys(api).sort(), ['listModels', 'openImage']);
    assert.equal(await api.openImage('ignored', 'args'), 'answer');
    assert.equal(await api.listModels(), 'answer');
    assert.deepEqual(calls, [['resnet-edge:open-image'], ['resnet-edge:list-models']]);
  });
});
