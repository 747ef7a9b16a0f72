/**
 * The Electron demo in real Electron, through Playwright's _electron: the built app folder launched by the binary
 * in ELECTRON_OVERRIDE_DIST_PATH (the folder holding `electron`, as the electron npm package reads it), its file
 * dialog answered from the main process, the window driven like a person (electron-suite.ts).
 *
 * Electron's binary cannot be downloaded on our machines, so without ELECTRON_OVERRIDE_DIST_PATH this test is
 * reported as skipped, with that reason; what runs instead is electron-main.test.ts (main and preload in Node) and
 * electron-renderer.test.ts (the renderer in Chromium 156, Electron 45's Chromium).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { _electron } from 'playwright-core';
import { buildElectronApp, driveApp } from './electron-suite.ts';

const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const skip = dist ? false
  : 'SKIPPED, not run: ELECTRON_OVERRIDE_DIST_PATH is not set (Electron\'s binary cannot be downloaded here). '
    + 'Set it to a folder holding an Electron 45 binary named electron to run the app for real.';

describe('electron demo: the real app in Electron (_electron.launch)', () => {
  it('main, preload and renderer together: open and drop photos, switch packs; Node\'s top-5 each time', { skip }, async () => {
    // The electron npm package resolves the binary from ELECTRON_OVERRIDE_DIST_PATH, as it does for `electron .`.
    const executablePath = createRequire(join(import.meta.dirname, '../demos/electron/package.json'))('electron') as string;
    assert.ok(existsSync(executablePath), `no Electron binary at ${executablePath}`);
    const appDir = await buildElectronApp('electron-app');
    const app = await _electron.launch({ executablePath, args: [appDir], timeout: 120_000 });
    try {
      const page = await app.firstWindow();
      assert.equal(page.url(), 'app://bundle/index.html');
      const choose = (file: string) => app.evaluate(({ dialog }, f) => {
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [f] })) as typeof dialog.showOpenDialog;
      }, file);
      await driveApp(page, choose, 'electron-app');
      assert.match(await page.textContent('#backend') ?? '', /^(wasm|webgpu)$/);
    } finally {
      await app.close();
    }
  });
});
