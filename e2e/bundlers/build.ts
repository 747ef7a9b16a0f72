/**
 * Builds a user's app with each bundler as its users would: Vite and webpack with no resnet-edge configuration
 * at all, rollup with node-resolve + commonjs (which tfjs needs) and (optionally) the copy step its lack of asset
 * handling needs. The app is e2e/bundlers/app copied into its own project that installs the packed sdk tarball
 * (`pnpm pack`) with npm, as a user installs the published package.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const consumer = join(here, '..', '.build', 'consumer');
const app = join(consumer, 'app');
export const out = (name: string): string => join(here, '..', '.build', 'bundlers', name);
const sdkDir = join(consumer, 'node_modules', 'resnet-edge');

/** The consumer project: the packed sdk installed by npm from its tarball (dependencies from the registry). */
export function installConsumer(): void {
  rmSync(consumer, { recursive: true, force: true });
  mkdirSync(consumer, { recursive: true });
  execFileSync('pnpm', ['pack', '--pack-destination', consumer], { cwd: join(here, '..', '..', 'sdk'), stdio: 'ignore' });
  const tarball = readdirSync(consumer).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', `./${tarball}`], { cwd: consumer, stdio: 'ignore' });
  cpSync(join(here, 'app'), app, { recursive: true });
}

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

/** `copy`: the step docs/backends.md tells rollup users to add (the wasm folder, the default pack). */
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
  }
  return dir;
}
