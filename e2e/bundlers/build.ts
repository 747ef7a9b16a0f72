/**
 * Builds e2e/bundlers/app with each bundler as its users would: Vite and webpack with no resnet-edge
 * configuration at all, rollup with node-resolve + commonjs (which tfjs needs) and (optionally) the copy step its lack of asset handling needs.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = import.meta.dirname;
const app = join(here, 'app');
export const out = (name: string): string => join(here, '..', '.build', 'bundlers', name);
const sdkDir = dirname(createRequire(join(here, '..', 'package.json')).resolve('resnet-edge/package.json'));

export async function buildVite(): Promise<string> {
  const { build } = await import('vite');
  await build({ root: app, configFile: false, logLevel: 'error', build: { outDir: out('vite'), emptyOutDir: true, target: 'es2022' } });
  return out('vite');
}

export async function buildWebpack(): Promise<string> {
  const { default: webpack } = await import('webpack');
  const dir = out('webpack');
  rmSync(dir, { recursive: true, force: true });
  const stats = await new Promise<import('webpack').Stats>((resolve, reject) => webpack({
    mode: 'production', context: app, entry: './main.js', output: { path: dir, filename: 'main.js' },
    performance: { hints: false }, stats: 'errors-only',
  }, (err, s) => (err || !s ? reject(err) : resolve(s))));
  if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
  cpSync(join(app, 'index.html'), join(dir, 'index.html'));
  return dir;
}

/** `copy`: the step README tells rollup users to add (the wasm folder, the default pack, the JPEG decoder). */
export async function buildRollup(copy: boolean): Promise<string> {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const { default: commonjs } = await import('@rollup/plugin-commonjs');
  const dir = out(copy ? 'rollup' : 'rollup-no-copy');
  rmSync(dir, { recursive: true, force: true });
  const bundle = await rollup({ input: join(app, 'main.js'), plugins: [nodeResolve({ browser: true }), commonjs()], onwarn: () => {} });
  await bundle.write({ dir, format: 'es', entryFileNames: 'main.js' });
  await bundle.close();
  cpSync(join(app, 'index.html'), join(dir, 'index.html'));
  if (copy) {
    cpSync(join(sdkDir, 'dist', 'wasm'), join(dir, 'wasm'), { recursive: true });
    mkdirSync(join(dir, '..', 'models'), { recursive: true });
    cpSync(join(sdkDir, 'models', 'default.pack'), join(dir, '..', 'models', 'default.pack'));
    const jpeg = createRequire(join(sdkDir, 'package.json')).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
    cpSync(jpeg, join(dir, 'mozjpeg_dec.wasm'));
  }
  return dir;
}
