// One shared rollup config: every package is built the same way (ESM + .d.ts, dependencies external,
// warnings fail the build). Add a package by adding one entry to PACKAGES.
import typescript from '@rollup/plugin-typescript';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * @typedef {{ dir: string, input: Record<string, string>, executables?: string[], assets?: () => Record<string, string> }} PackageBuild
 * assets: files copied into dist (name in dist -> source path), for files the package references at run time.
 * executables: entries that start with a #! line (the package's bin).
 */

/** tfjs-backend-wasm's three binaries, into sdk/dist/wasm/ (see sdk/src/backend/wasm-files.ts). */
function tfjsWasmFiles() {
  const dir = dirname(createRequire(resolve('sdk/package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
  const names = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
  return Object.fromEntries(names.map((n) => [`wasm/${n}`, join(dir, n)]));
}

/** @type {PackageBuild[]} */
const PACKAGES = [
  {
    dir: 'sdk', assets: tfjsWasmFiles,
    input: {
      index: 'src/index.ts', pack: 'src/pack.ts', 'platform-node': 'src/platform/node.ts', 'platform-browser': 'src/platform/browser.ts',
      'convert/index': 'src/convert/index.ts', internal: 'src/internal.ts', 'cli/main': 'src/cli/main.ts', 'cli/worker': 'src/cli/worker.ts',
    },
    executables: ['cli/main'],
  },
];

/** Everything that is not a relative import stays external: node built-ins, dependencies, sibling packages. */
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

/** @param {Record<string, string>} files */
function copyAssets(files) {
  return {
    name: 'copy-assets',
    generateBundle() {
      for (const [fileName, from] of Object.entries(files)) this.emitFile({ type: 'asset', fileName, source: readFileSync(from) });
    },
  };
}

/** @param {PackageBuild} pkg */
function config(pkg) {
  const { name } = JSON.parse(readFileSync(`${pkg.dir}/package.json`, 'utf8'));
  rmSync(`${pkg.dir}/dist`, { recursive: true, force: true }); // no stale chunks in the published package
  return {
    input: Object.fromEntries(Object.entries(pkg.input).map(([k, v]) => [k, `${pkg.dir}/${v}`])),
    external,
    output: {
      dir: `${pkg.dir}/dist`, format: 'es', sourcemap: true, chunkFileNames: '[name]-[hash].js',
      banner: (chunk) => (chunk.isEntry && pkg.executables?.includes(chunk.name) ? '#!/usr/bin/env node' : ''),
    },
    plugins: [copyAssets(pkg.assets?.() ?? {}), typescript({
      tsconfig: './tsconfig.base.json',
      include: [resolve(pkg.dir, 'src/**/*.ts')],
      compilerOptions: {
        rootDir: `${pkg.dir}/src`, outDir: `${pkg.dir}/dist`, declaration: true, declarationDir: `${pkg.dir}/dist`,
        declarationMap: false, sourceMap: true, noEmitOnError: true, stripInternal: true,
        // Built packages see each other as users do: through node_modules and the built .d.ts.
        paths: {},
      },
      noEmitOnError: true,
    })],
    onwarn(warning) {
      throw new Error(`rollup warning while building ${name}: ${warning.message}`);
    },
  };
}

export default PACKAGES.map(config);
