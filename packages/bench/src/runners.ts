/**
 * The runtimes `pnpm bench` puts side by side, each running the same network on the same preprocessed input:
 *   resnet-edge int8   — the int8 kernels the SDK runs for an int8 pack on wasm (Int8ResNet, relaxed or SIMD128)
 *   TF.js wasm fp32    — tfjs-backend-wasm (XNNPACK) running the same graph (sdk/src/net/resnet.ts): the SDK's
 *                        compute: 'float32' path
 *   ORT-web fp32/int8  — onnxruntime-web's wasm backend on the ONNX export / its int8 QDQ copy (tools/bench_models.py)
 *   ORT-node fp32/int8 — onnxruntime-node's native CPU backend (Node only; the bar to aim at, not a browser)
 * The same code runs in Node and in the browser page (page.ts); only how bytes and ORT arrive differs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initWasm, Int8ResNet, relaxedDotChoice, type KernelPath, classifierHead, features, disposeLayers, uploadLayers, readPack, buildPlan } from 'resnet-edge/internal';

export type RunnerName = 're-int8' | 're-int8-simd' | 're-webgpu' | 'tfjs-fp32' | 'ort-web-fp32' | 'ort-web-int8' | 'ort-node-fp32' | 'ort-node-int8';

export const LABELS: Record<RunnerName, string> = {
  're-int8': 'resnet-edge int8',
  're-int8-simd': 'resnet-edge int8 (SIMD128 path)',
  're-webgpu': 'resnet-edge WebGPU (classify path: + preprocessing)',
  'tfjs-fp32': 'TF.js 4.22 wasm fp32',
  'ort-web-fp32': 'ORT-web 1.30 wasm fp32',
  'ort-web-int8': 'ORT-web 1.30 wasm int8 QDQ',
  'ort-node-fp32': 'ORT-node 1.30 native fp32',
  'ort-node-int8': 'ORT-node 1.30 native int8 QDQ',
};

/** The runners of a Node process, and those a browser page may have (re-int8-simd where relaxed SIMD exists, re-webgpu on a real GPU). */
export const NODE_RUNNERS: RunnerName[] = ['re-int8', 'tfjs-fp32', 'ort-web-fp32', 'ort-web-int8', 'ort-node-fp32', 'ort-node-int8'];
export const PAGE_RUNNERS: RunnerName[] = ['re-int8', 're-int8-simd', 'tfjs-fp32', 'ort-web-fp32', 'ort-web-int8', 're-webgpu'];

/** What a runner needs: the model's files and the input crop size. */
export interface ModelFiles { pack: () => Promise<Uint8Array>; onnx: (kind: 'fp32' | 'int8') => Promise<Uint8Array>; crop: number }

export interface Runner { name: RunnerName; detail: string; run(): Promise<unknown>; dispose(): Promise<void> }

/** The minimal slice of onnxruntime's API the bench uses (onnxruntime-web and -node share it). */
export interface Ort {
  InferenceSession: { create(bytes: Uint8Array, o: Record<string, unknown>): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, unknown>>; release(): Promise<void> }> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

/** A fixed pseudo-random input (the same values for every runtime; NHWC for resnet-edge/TF.js, NCHW for ORT). */
export function input(crop: number): { nhwc: Float32Array; nchw: Float32Array } {
  const nhwc = new Float32Array(crop * crop * 3), nchw = new Float32Array(crop * crop * 3);
  for (let i = 0; i < nhwc.length; i++) {
    nhwc[i] = Math.sin(i * 0.37) * 1.8;
    const c = i % 3, p = (i - c) / 3;
    nchw[c * crop * crop + p] = nhwc[i];
  }
  return { nhwc, nchw };
}

/** Interleaved 8-bit pixels (3 RGB or 4 RGBA bytes each) of a size×size crop -> ImageNet-normalized float32 NCHW, as ORT-web users feed it. */
export function normalizedNchw(pixels: ArrayLike<number>, size: number, channels: 3 | 4): Float32Array {
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225], plane = size * size, out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = (pixels[p * channels + c] / 255 - mean[c]) / std[c];
  return out;
}

/** A fixed RGB crop for the runtimes' public classify path (which preprocesses it). */
const rgbCrop = (crop: number) => ({ data: new Uint8Array(crop * crop * 3).map((_, i) => (i * 37) % 256), width: crop, height: crop, channels: 3 as const });

export async function makeRunner(name: RunnerName, files: ModelFiles, opts: { threads: number; ort?: Ort; wasmPaths?: string }): Promise<Runner> {
  const { nhwc, nchw } = input(files.crop);
  if (name === 're-int8' || name === 're-int8-simd') {
    const net = await Int8ResNet.create(await readPack(await files.pack()), name === 're-int8-simd' ? 'simd' : undefined as KernelPath | undefined, opts.threads);
    const form = net.path === 'relaxed' ? ` ${relaxedDotChoice()?.form ?? 'fused (no probe: small model)'} dot` : '';
    return { name, detail: `${net.path}${form}, ${net.threads} thread${net.threads > 1 ? 's' : ''}`, run: async () => net.run(nhwc, 1, files.crop, true), dispose: async () => net.dispose() };
  }
  if (name === 're-webgpu') {
    // Through the public API (the WebGPU path has no separate forward entry): includes preprocessing an RGB crop.
    const { load } = await import('resnet-edge');
    const clf = await load({ model: await files.pack(), backend: 'webgpu', cache: false });
    const rgb = rgbCrop(files.crop);
    return { name, detail: clf.diagnostics[0].adapter ?? 'adapter', run: () => clf.logits(rgb), dispose: async () => clf.dispose() };
  }
  if (name === 'tfjs-fp32') {
    const info = await initWasm(opts.wasmPaths, opts.threads);
    const pack = await readPack(await files.pack());
    const layers = uploadLayers(pack);
    const arch = pack.manifest.architecture;
    return {
      name, detail: `XNNPACK, ${info.threads} thread${info.threads > 1 ? 's' : ''}`,
      run: async () => {
        const out = tf.tidy(() => classifierHead(layers, features(buildPlan(arch, files.crop), layers, tf.tensor4d(nhwc, [1, files.crop, files.crop, 3]))));
        await out.data();
        out.dispose();
      },
      dispose: async () => disposeLayers(layers),
    };
  }
  const ort = opts.ort!;
  const node = name.startsWith('ort-node');
  const session = await ort.InferenceSession.create(await files.onnx(name.endsWith('int8') ? 'int8' : 'fp32'), {
    graphOptimizationLevel: 'all', executionProviders: [node ? 'cpu' : 'wasm'],
    ...(node ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } : {}),
  });
  const feeds = { input: new ort.Tensor('float32', nchw, [1, 3, files.crop, files.crop]) };
  return { name, detail: `${opts.threads} thread${opts.threads > 1 ? 's' : ''}`, run: () => session.run(feeds), dispose: () => session.release() };
}

/**
 * Timings of every runner, interleaved: each round runs each runner once, in a rotating order. Each timed run starts
 * after a pause of `gapMs`: onnxruntime's threads keep spinning for a few ms after a run returns, which (measured
 * here) makes whatever runs next on a 2-core machine up to 5× slower; the pause keeps that off the neighbours.
 */
export async function interleaved(runners: { name: string; run(): Promise<unknown> }[], rounds: number, warmup = 3, gapMs = 30): Promise<Record<string, number[]>> {
  for (const r of runners) for (let i = 0; i < warmup; i++) await r.run();
  const times: Record<string, number[]> = Object.fromEntries(runners.map((r) => [r.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < runners.length; j++) {
      const r = runners[(round + j) % runners.length];
      await new Promise((ok) => setTimeout(ok, gapMs));
      const t = performance.now();
      await r.run();
      times[r.name].push(performance.now() - t);
    }
  }
  return times;
}

/** scaling()'s times (keyed '1' and '2') per model and runner. */
export type ScalingData = Record<string, Record<string, Record<string, number[]>>>;

/**
 * resnet-edge's own thread scaling: `name` on 1 thread and on `threads`, interleaved round by round in one process or
 * page (its idle workers sleep after ~0.2 ms, so the 1-thread runs have the cores), times keyed by thread count.
 */
export async function scaling(name: RunnerName, files: ModelFiles, threads: number, rounds: number, opts: { ort?: Ort; wasmPaths?: string }): Promise<Record<string, number[]>> {
  const runners = [];
  for (const t of [1, threads]) runners.push({ ...(await makeRunner(name, files, { ...opts, threads: t })), name: String(t) });
  try {
    return await interleaved(runners, rounds);
  } finally {
    for (const r of runners) await r.dispose();
  }
}

/** Load + first result through each runtime's public entry point, from the model's bytes. */
export async function coldStart(name: RunnerName, files: ModelFiles, opts: { threads: number; ort?: Ort; wasmPaths?: string }): Promise<{ ms: number; run: () => Promise<unknown> }> {
  const rgb = rgbCrop(files.crop);
  if (name.startsWith('ort')) {
    const bytes = await files.onnx(name.endsWith('int8') ? 'int8' : 'fp32');
    const t = performance.now();
    const r = await makeRunner(name, { ...files, onnx: async () => bytes }, opts);
    await r.run();
    return { ms: performance.now() - t, run: r.run };
  }
  const { load } = await import('resnet-edge');
  const bytes = await files.pack();
  const t = performance.now();
  const clf = await load({ model: bytes, backend: 'wasm', compute: name === 'tfjs-fp32' ? 'float32' : 'int8', wasmPaths: opts.wasmPaths, threads: opts.threads, cache: false });
  await clf.logits(rgb);
  return { ms: performance.now() - t, run: () => clf.logits(rgb) };
}
