#!/usr/bin/env node
/**
 * Prepares .gpu/ (git-ignored): everything tools/gpu-run.sh needs on a GPU machine that has PyTorch but no Node, no npm
 * and no network, in well under the 64 MiB that may travel there (docs/gpu.md):
 *   node.xz                  this machine's Node binary, stripped and xz-compressed
 *   bench-gpu.mjs            pnpm bench:gpu (packages/bench/src/gpu/main.ts) bundled by esbuild with the SDK, tfjs,
 *                            onnxruntime-web and the converter; only npm `webgpu` stays outside
 *   webgpu/                  npm `webgpu`'s index.js, package.json and dawn.node (linux-x64, xz)
 *   tfjs-wasm/, ort/         tfjs-backend-wasm's binaries (the wasm reference) and onnxruntime-web's WebGPU build (xz)
 *   cifar10/                 the CIFAR-10 JPEG tarballs of ../shared (tools/train_cifar.py's data)
 * and .gl/ (git-ignored): the Vulkan/EGL loader packages of Debian, downloaded with apt (the device README's recipe).
 * Usage: pnpm -s build && node tools/prepare-gpu.mjs [--bundle-only]
 */
import { execFileSync, execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, '.gpu');
const fromBench = createRequire(join(ROOT, 'packages/bench/package.json'));
const fromRoot = createRequire(join(ROOT, 'package.json'));
const pkgDir = (req, name) => {
  let dir = dirname(req.resolve(name));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
};
const xz = (from, to) => execSync(`xz -T0 -9 -c ${JSON.stringify(from)} > ${JSON.stringify(to)}`);

const bundleOnly = process.argv.includes('--bundle-only'); // after a change of the bench's code: the rest stays
if (!bundleOnly) rmSync(OUT, { recursive: true, force: true });
for (const d of ['webgpu', 'tfjs-wasm', 'ort', 'cifar10']) mkdirSync(join(OUT, d), { recursive: true });

const esbuild = fromBench('esbuild');
await esbuild.build({
  entryPoints: [join(ROOT, 'packages/bench/src/gpu/main.ts')], outfile: join(OUT, 'bench-gpu.mjs'),
  bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['webgpu'], logLevel: 'warning',
  // CommonJS code inside (tfjs-backend-wasm's emscripten glue) expects require, __dirname and __filename.
  banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; "
    + 'const require = __cr(import.meta.url), __filename = __fu(import.meta.url), __dirname = __fu(new URL(".", import.meta.url));' },
});
if (bundleOnly) process.exit(0);

const webgpu = pkgDir(fromRoot, 'webgpu');
for (const f of ['index.js', 'package.json']) copyFileSync(join(webgpu, f), join(OUT, 'webgpu', f));
xz(join(webgpu, 'dist/linux-x64/dawn.node'), join(OUT, 'webgpu/dawn.node.xz'));

const tfjsWasm = dirname(createRequire(join(ROOT, 'sdk/package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
for (const f of readdirSync(tfjsWasm).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(tfjsWasm, f), join(OUT, 'tfjs-wasm', f));
xz(join(pkgDir(fromBench, 'onnxruntime-web'), 'dist/ort-wasm-simd-threaded.asyncify.wasm'), join(OUT, 'ort/ort-wasm-simd-threaded.asyncify.wasm.xz'));

execFileSync('strip', ['-o', join(OUT, 'node'), process.execPath]);
xz(join(OUT, 'node'), join(OUT, 'node.xz'));
rmSync(join(OUT, 'node'));

const cifar = join(ROOT, '..', 'shared', 'data', 'cifar10');
for (const f of ['train.tar.gz', 'test.tar.gz']) copyFileSync(join(cifar, f), join(OUT, 'cifar10', f));

const GL = join(ROOT, '.gl');
if (!existsSync(GL) || !readdirSync(GL).some((f) => f.endsWith('.deb'))) {
  mkdirSync(GL, { recursive: true });
  mkdirSync('/tmp/amd64/partial', { recursive: true });
  const o = '-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64';
  execSync(`apt-get ${o} update -qq && apt-get ${o} download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2`, { cwd: GL, stdio: 'inherit' });
}

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size);
const tracked = execSync('git ls-files -z', { cwd: ROOT }).toString().split('\0').filter(Boolean).reduce((s, f) => s + (existsSync(join(ROOT, f)) ? statSync(join(ROOT, f)).size : 0), 0);
const total = size(OUT) + size(GL) + tracked;
console.log(`.gpu ${(size(OUT) / 2 ** 20).toFixed(1)} MiB, .gl ${(size(GL) / 2 ** 20).toFixed(1)} MiB, tracked files ${(tracked / 2 ** 20).toFixed(1)} MiB: `
  + `${(total / 2 ** 20).toFixed(1)} MiB of the 64 MiB that may travel`);
if (total > 64 * 2 ** 20) process.exitCode = 1;
