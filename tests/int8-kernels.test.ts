/**
 * resnet-edge's int8 kernels (sdk/kernels/int8.c) against scalar references (tests/int8-check.ts) on random shapes,
 * bit for bit; the relaxed-SIMD path's guard; the committed modules are what the C source compiles to; the int8
 * path keeps weights as int8 (no float copy in tfjs or in the kernels' memory). The relaxed path runs here in Node 24
 * (fetched by tools/fetch-node.mjs; .ci/run does) and in Chromium and Firefox: e2e/int8-kernels.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { load } from 'resnet-edge';
import { availablePaths, Kernels } from '../sdk/src/int8/kernels.ts';
import { convertReference, ROOT } from './helpers.ts';
import { checkKernels } from './int8-check.ts';
// @ts-expect-error plain ESM module without types
import { BUILDS, compileKernels, generated, outputFile, CLANG } from '../tools/build-kernels.mjs';

// @ts-expect-error plain ESM module without types
import { nodePath } from '../tools/fetch-node.mjs';

const hasClang = spawnSync(CLANG, ['--version']).status === 0;
const node24: string = nodePath(24);

describe('int8 kernels', () => {
  it('SIMD128 path: quantize, im2col, pack + GEMM with fused epilogue, Winograd, pools are bit-identical to the references (5 × 200 random shapes)', async () => {
    assert.deepEqual(checkKernels(await Kernels.create('simd'), 200, 11), []);
  });

  it('relaxed SIMD: Node 20 has none by default; its experimental one computes the dot product differently and is refused', async () => {
    assert.deepEqual(await availablePaths(), ['simd']);
    const script = `import('${join(ROOT, 'sdk/src/int8/kernels.ts')}').then(async (k) => console.log(JSON.stringify(await k.availablePaths())))`;
    const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), ['simd']);
  });

  it('relaxed SIMD in Node 24: detected without flags, both dot forms bit-identical to the references and giving the SIMD128 logits, on 2 threads too; the probe (not for a small model) in diagnostics; int8 packed weights (i16 on SIMD128)',
    { skip: existsSync(node24) ? false : 'SKIPPED, not run: no Node 24 binary (node tools/fetch-node.mjs 24 fetches it; .ci/run does)' }, () => {
      const script = `
        const { availablePaths, forceDotForm, probeDotFormOnce, relaxedDotChoice, Kernels } = await import('${join(ROOT, 'sdk/src/int8/kernels.ts')}');
        const { checkKernels } = await import('${join(ROOT, 'tests/int8-check.ts')}');
        const { Int8ResNet } = await import('${join(ROOT, 'sdk/src/int8/resnet.ts')}');
        const { readPack } = await import('${join(ROOT, 'sdk/src/pack/read.ts')}');
        const { dotText } = await import('${join(ROOT, 'sdk/src/backend/choose.ts')}');
        const { readFileSync } = await import('node:fs');
        const p = await readPack(new Uint8Array(readFileSync('${join(ROOT, 'sdk/models/default.pack')}')));
        const img = new Float32Array(3 * 32 * 32 * 3).map((_, i) => Math.sin(i * 0.37) * 1.8);
        const paths = await availablePaths();
        (await Int8ResNet.create(p, 'relaxed', 1)).dispose();
        const small = { probe: relaxedDotChoice() ?? null, text: dotText('relaxed') };
        const probe = await probeDotFormOnce(), text = dotText('relaxed');
        const logits = {}, fails = {};
        for (const form of ['fused', 'paired']) {
          forceDotForm(form);
          fails[form] = checkKernels(await Kernels.create('relaxed'), 200, 23);
          for (const [path, threads] of [['simd', 1], ['relaxed', 1], ['relaxed', 2]]) {
            const net = await Int8ResNet.create(p, path, threads);
            logits[form + ' ' + path + ' ' + threads] = Array.from(net.run(img, 3, 32, true));
            net.dispose();
          }
        }
        const packed = {};
        for (const path of ['relaxed', 'simd']) {
          const net = await Int8ResNet.create(p, path, 1, false);
          packed[path] = net.weightBytes;
          net.dispose();
        }
        console.log(JSON.stringify({ version: process.version, paths, small, probe, text, fails, logits, packed }));`;
      const out = execFileSync(node24, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
      const r = JSON.parse(out.trim().split('\n').pop()!);
      assert.match(r.version, /^v24\./);
      assert.deepEqual(r.paths, ['relaxed', 'simd']);
      assert.deepEqual(r.fails, { fused: [], paired: [] });
      assert.equal(r.packed.simd, 2 * r.packed.relaxed, 'the direct GEMM packs int8 with relaxed SIMD, i16 on SIMD128');
      const want = r.logits['fused simd 1'];
      for (const [run, logits] of Object.entries(r.logits)) assert.deepEqual(logits, want, `${run}: relaxed and SIMD128, fused and paired, 1 and 2 threads compute the same integers`);
      assert.ok(['fused', 'paired'].includes(r.probe.form) && r.probe.speedup >= 1, JSON.stringify(r.probe));
      assert.deepEqual(r.small, { probe: null, text: '; fused dot products (no probe for a model this small)' }, 'the default CIFAR model runs without the probe');
      assert.match(r.text, new RegExp(`^; ${r.probe.form} dot products \\(\\d+\\.\\d× the (fused|paired) form's speed in a start-up probe\\)$`));
    });

  it('threads: quantization, im2col + GEMM rows, Winograd tiles on 2 and 3 worker threads give exactly the 1-thread logits; dispose() stops the workers', async () => {
    const { Int8ResNet } = await import('../sdk/src/int8/resnet.ts');
    const { readPack } = await import('../sdk/src/pack/read.ts');
    for (const name of ['cifar20', 'resnet50'] as const) {
      const p = await readPack((await convertReference(name, 'onnx', 'int8')).pack);
      const crop = name === 'cifar20' ? 32 : 224;
      const img = new Float32Array(2 * crop * crop * 3).map((_, i) => Math.sin(i * 0.37) * 1.8);
      const one = await Int8ResNet.create(p, 'simd', 1);
      const want = one.run(img, 2, crop, true);
      for (const threads of [2, 3]) {
        const net = await Int8ResNet.create(p, 'simd', threads);
        assert.equal(net.threads, threads);
        assert.deepEqual(net.run(img, 2, crop, true), want, `${name}, ${threads} threads`);
        net.dispose();
      }
    }
    const clf = await load({ backend: 'wasm', threads: 2 });
    assert.match(clf.diagnostics.find((d) => d.backend === 'wasm')!.reason, /, 2 threads: 2 requested; 3×3 convolutions by Winograd F\(4×4, 3×3\) and F\(2×2, 3×3\)$/);
    clf.dispose();
  });

  it('threads take the chunks another thread has not started: a GEMM cut into 8 chunks gives the 1-thread outputs and range, and with its worker gone the calling thread runs every chunk itself', () => {
    // In a child process: a step that waited for a missing worker would spin forever.
    const script = `
      const { bytes, instantiate } = await import('${join(ROOT, 'sdk/src/int8/builds.ts')}');
      const { GemmPool } = await import('${join(ROOT, 'sdk/src/int8/threads.ts')}');
      const module = await WebAssembly.compile(await bytes('simdMt'));
      const { k, memory } = await instantiate(module);
      let top = k.__heap_base.value;
      const alloc = (n) => {
        const p = top;
        top = Math.ceil((p + n) / 16) * 16;
        if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
        return p;
      };
      const m = 300, kpad = 64, n = 32;
      const a = alloc(m * kpad * 2), w8 = alloc(n * kpad), b = alloc(n * kpad * k.packed_weight_size()), wsum = alloc(4 * n);
      const wscale = alloc(4 * n), bias = alloc(4 * n), outs = [0, 1, 2].map(() => alloc(4 * m * n)), range = alloc(8);
      new Int16Array(memory.buffer, a, m * kpad).forEach((_, i, v) => { v[i] = (i * 7919) % 128; });
      new Int8Array(memory.buffer, w8, n * kpad).forEach((_, i, v) => { v[i] = ((i * 104729) % 255) - 127; });
      k.pack_weights(w8, n, kpad, kpad, n, b, wsum);
      new Float32Array(memory.buffer, wscale, n).fill(0.01);
      new Float32Array(memory.buffer, bias, n).forEach((_, i, v) => { v[i] = 0.5 - i / n; });
      const args = (out) => [a, m, kpad, b, n, wsum, wscale, bias, 0.05, 3, 0, 1, out];
      const rows = (out) => (begin, end, r) => k.gemm_u7s8(...args(out), begin, end, r);
      rows(outs[0])(0, m, range);
      const pool = await GemmPool.start(module, memory, alloc, 2);
      const got = (i) => Array.from(new Float32Array(memory.buffer, outs[i], m * n));
      const r1 = pool.run(args(outs[1]), undefined, rows(outs[1]));
      pool.workers[0].terminate();
      await new Promise((r) => setTimeout(r, 300));
      const r2 = pool.run(args(outs[2]), undefined, rows(outs[2]));
      pool.stop();
      const want = got(0);
      console.log(JSON.stringify({ range: Array.from(new Float32Array(memory.buffer, range, 2)), r1, r2, same1: got(1).every((x, i) => x === want[i]), same2: got(2).every((x, i) => x === want[i]) }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
    assert.equal(r.status, 0, r.error ? 'the step waited for the missing worker' : r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.ok(out.range[1] > 0, 'a GEMM with outputs above 0');
    assert.deepEqual(out, { range: out.range, r1: out.range, r2: out.range, same1: true, same2: true });
  });

  it('F(4×4, 3×3) runs a layer only where it is exact: 127 · Σ|w8| < 2^25 for every filter (any weights up to 231 input channels)', async () => {
    const { f4Exact } = await import('../sdk/src/int8/resnet.ts');
    const filters = (cin: number, w: number) => new Int8Array(2 * 9 * cin).fill(1).fill(w, 9 * cin);
    assert.ok(f4Exact(filters(231, 127), 2) && f4Exact(filters(231, -127), 2));
    assert.ok(!f4Exact(filters(232, 127), 2) && !f4Exact(filters(232, -127), 2), 'the second filter reaches 2^25');
    assert.ok(f4Exact(filters(512, 28), 2), 'typical weights of a 512-channel layer');
  });

  it('a shared memory that cannot be made (memory pressure) after the first: the plain build on one thread, the same logits, and the reason says so', () => {
    const script = `
      const Real = WebAssembly.Memory;
      let made = 0;
      WebAssembly.Memory = function (d) { if (d.shared && ++made > 2) throw new RangeError('out of memory'); return new Real(d); };
      const { Kernels } = await import('${join(ROOT, 'sdk/src/int8/kernels.ts')}');
      const { checkKernels } = await import('${join(ROOT, 'tests/int8-check.ts')}');
      const k = await Kernels.create('simd', 2);
      console.log(JSON.stringify({ made, threads: k.threads, note: k.threadsNote, shared: k.memory.buffer instanceof SharedArrayBuffer, fails: checkKernels(k, 20, 5) }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    assert.deepEqual(r, { made: 3, threads: 1, note: 'no shared WebAssembly memory could be made (out of memory)', shared: false, fails: [] });
  });

  it('a Node process that never disposes its classifier still exits (the worker threads do not hold it)', () => {
    const script = `import('resnet-edge').then(async ({ load }) => { const c = await load({ threads: 2 }); console.log(c.diagnostics.find((d) => d.backend === 'wasm').threads); })`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '2');
  });

  it('the committed modules (one per build) are what sdk/kernels/*.c compile to', { skip: hasClang ? false : `${CLANG} is not installed (apt-get install clang-19 lld-19)` }, () => {
    const mods = compileKernels();
    for (const build of BUILDS) assert.equal(readFileSync(outputFile(build), 'utf8'), generated(build, mods[build]), `${build}: run pnpm build:kernels and commit the result`);
  });

  it('an int8 pack on wasm keeps its weights packed (int8 with relaxed SIMD; i16 on SIMD128 and for Winograd): no tfjs tensors, kernel memory ≈ packed weights + activations; Winograd gives the direct logits', async () => {
    const { pack } = await convertReference('resnet18', 'onnx', 'int8');
    (await load({ backend: 'wasm', compute: 'float32' })).dispose(); // starts tfjs' wasm backend, to count its tensors
    const before = tf.memory().numBytes;
    const clf = await load({ model: pack, backend: 'wasm' });
    assert.match(clf.diagnostics.find((d) => d.backend === 'wasm')!.reason, /^resnet-edge's int8 kernels, SIMD128 \(no relaxed SIMD here\), \d+ threads?: one per core/);
    await clf.classify(readFileSync(join(ROOT, 'demos/assets/cat.png')));
    assert.equal(tf.memory().numBytes, before, 'no weights or activations in tfjs');
    clf.dispose();
    const { Int8ResNet } = await import('../sdk/src/int8/resnet.ts');
    const { readPack } = await import('../sdk/src/pack/read.ts');
    const p = await readPack(pack);
    const img = new Float32Array(224 * 224 * 3).map((_, i) => Math.sin(i * 0.37) * 1.8);
    const net = await Int8ResNet.create(p, 'simd', 1, false);
    const direct = net.run(img, 1, 224, true);
    const weights = p.manifest.tensors.reduce((s, t) => s + t.weight.bytes, 0);
    // SIMD128's direct GEMM holds its weights as i16 (int8.c: plain loads run the GEMM faster than widening int8):
    // 2 bytes per int8 weight + repacking pad, + activations: 3 float buffers of 112×112×64, its codes and the stem's
    // im2col rows (112×112 × 160, which also stage the repacking), codes being i16 on SIMD128 (codes.h): well under
    // the 46.8 MB a float32 copy of the weights alone would take.
    const activations = 3 * 112 * 112 * 64 * 4 + 2 * 112 * 112 * (64 + 160) + 2 ** 16;
    console.log(`resnet18 int8 weights ${(weights / 2 ** 20).toFixed(1)} MiB, packed ${(net.weightBytes / 2 ** 20).toFixed(1)} MiB, kernel memory ${(net.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(net.weightBytes <= 2 * weights + 2 ** 16, `${net.weightBytes} packed bytes`);
    assert.ok(net.memoryBytes < net.weightBytes + activations, `${net.memoryBytes} bytes`);
    // Winograd (SIMD128's default): 3×3 stride-1 layers hold 36 i16 per 3×3 int8 filter on maps of 14×14 and more
    // (F4: 72 bytes for 9), 16 on 7×7 (F2: 32 bytes for 9), the same logits.
    const wino = await Int8ResNet.create(p, 'simd', 1);
    assert.ok(wino.winograd && !net.winograd);
    assert.deepEqual(wino.winogradTiles, [4, 2]);
    assert.deepEqual(wino.run(img, 1, 224, true), direct, 'Winograd computes the direct convolution\'s integers');
    console.log(`resnet18 Winograd: packed weights ${(wino.weightBytes / 2 ** 20).toFixed(1)} MiB, kernel memory ${(wino.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(wino.weightBytes <= (weights * 72) / 9 + 2 ** 16, `${wino.weightBytes} packed bytes`);
    assert.ok(wino.memoryBytes < wino.weightBytes + activations, `${wino.memoryBytes} bytes`);
    net.dispose();
    wino.dispose();
  });
});
