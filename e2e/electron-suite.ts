/**
 * What every Electron demo test does with the app's window, like a person: wait for the model, open cat.png through
 * the app's file dialog, drop coffee.png, switch to the ResNet-18 pack shipped in the app's resources, open cat.png
 * again; each time the bars are Node's top-5. Used by the renderer test in Chromium 156 (electron-renderer.test.ts)
 * and the real Electron test (electron-app.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
// @ts-expect-error plain ESM module without types
import { buildApp } from '../demos/electron/build.mjs';
import { assertMatchesNode, dropFile, nodeAnswers, PHOTOS, readBars, SHOTS } from './demo-suite.ts';

/** Builds the app into e2e/.build/<name> with the converted ResNet-18 beside the default pack in its models/. */
export async function buildElectronApp(name: string): Promise<string> {
  const dir = join(import.meta.dirname, '.build', name);
  rmSync(dir, { recursive: true, force: true });
  await buildApp(dir);
  writeFileSync(join(dir, 'models', 'resnet18.pack'), await nodeAnswers());
  mkdirSync(SHOTS, { recursive: true });
  return dir;
}

/** Drives the window; `choose(file)` makes the app's next file dialog answer `file`. */
export async function driveApp(page: Page, choose: (file: string) => Promise<void>, shots: string): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  assert.deepEqual(await page.$$eval('#model-choice option', (o) => o.map((x) => x.textContent)), ['default.pack', 'resnet18.pack']);
  // The page itself has no Node and sees only the preload's two functions.
  assert.deepEqual(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process,
    Object.keys(window.resnetEdge).sort().join()]), ['undefined', 'undefined', 'listModels,openImage']);

  await choose(PHOTOS.cat);
  await page.click('#open');
  assertMatchesNode(await readBars(page, 1), 'default/cat');
  await page.screenshot({ path: join(SHOTS, `${shots}-default-cat.png`) });
  await dropFile(page, PHOTOS.coffee);
  assertMatchesNode(await readBars(page, 2), 'default/coffee');
  await page.screenshot({ path: join(SHOTS, `${shots}-default-coffee.png`) });

  await page.selectOption('#model-choice', 'resnet18.pack');
  await page.click('#load');
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && (document.getElementById('model-name')?.textContent ?? '').includes('1000 classes'), undefined, { timeout: 120_000 });
  await choose(PHOTOS.cat);
  await page.click('#open');
  assertMatchesNode(await readBars(page, 3), 'resnet18/cat');
  await page.screenshot({ path: join(SHOTS, `${shots}-resnet18-cat.png`) });
}
