// Builds the Electron demo into one app folder (default demos/electron/dist): renderer/ (Vite, like the web demo),
// main.cjs and preload.cjs (esbuild; the preload is one file because a sandboxed preload can require only
// 'electron'), models/default.pack (the app's resources), and a package.json, so `electron <dir>` runs it.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

const root = import.meta.dirname;

export async function buildApp(outDir = join(root, 'dist')) {
  // minify: false keeps tfjs-backend-wasm's thread factory intact (see the web demo's build.mjs).
  await vite({
    root: join(root, 'src/renderer'), configFile: false, logLevel: 'warn', base: './',
    build: { outDir: join(outDir, 'renderer'), emptyOutDir: true, target: 'es2022', minify: false },
  });
  for (const name of ['main', 'preload']) {
    await esbuild({
      entryPoints: [join(root, 'src', `${name}.ts`)], outfile: join(outDir, `${name}.cjs`), bundle: true,
      platform: 'node', format: 'cjs', target: 'node20', external: ['electron'], logLevel: 'warning',
    });
  }
  mkdirSync(join(outDir, 'models'), { recursive: true });
  copyFileSync(createRequire(join(root, 'package.json')).resolve('resnet-edge/models/default.pack'), join(outDir, 'models', 'default.pack'));
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ name: 'resnet-edge-demo', version: '0.1.0', private: true, main: 'main.cjs' }, null, 2)}\n`);
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(`built ${await buildApp()}`);
