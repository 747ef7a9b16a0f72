/**
 * The runtimes `pnpm bench:gpu` puts side by side on one WebGPU adapter, each from the model's bytes to logits on the
 * host for a preprocessed batch (1 crop, or the 10 crops of the paper's 10-crop test):
 *   re-webgpu        resnet-edge's WebGPU engine (sdk/src/webgpu) on the int8 pack, computing in float32
 *   re-webgpu-f16    the same on the float16 pack, activations and weights stored as float16 (needs shader-f16)
 *   tfjs-webgpu      the network in plain tfjs code (sdk/src/net/resnet.ts: fused conv2d + bias + ReLU, add, pool)
 *                    on tfjs-backend-webgpu, float32 weights from the int8 pack
 *   ort-webgpu-fp32  onnxruntime-web's WebGPU execution provider on the float32 ONNX model
 *   ort-webgpu-fp16  the same on its float16 copy (needs the adapter's shader-f16)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type GpuEntry, initWasm, classifierHead, features, disposeLayers, uploadLayers, readPack, buildPlan, type Pack, WebgpuResNet } from 'resnet-edge/internal';

export const GPU_RUNNERS = ['re-webgpu', 'ort-webgpu-fp32', 're-webgpu-f16', 'ort-webgpu-fp16', 'tfjs-webgpu'] as const;
export type GpuRunnerName = (typeof GPU_RUNNERS)[number];

export const GPU_LABELS: Record<GpuRunnerName, string> = {
  're-webgpu': 'resnet-edge WebGPU, int8 pack (fp32 compute)',
  're-webgpu-f16': 'resnet-edge WebGPU, float16 pack (fp16 storage)',
  'tfjs-webgpu': 'TF.js 4.22 WebGPU, plain tfjs code (fp32)',
  'ort-webgpu-fp32': 'ORT-web 1.30 WebGPU EP, fp32 ONNX',
  'ort-webgpu-fp16': 'ORT-web 1.30 WebGPU EP, fp16 ONNX',
};

/** Where a child finds its model's files and the wasm binaries it needs. */
export interface ModelPlace { dir: string; name: string; size: number; tfjsWasm?: string; ortWasm?: string }

export interface GpuRunner {
  detail: string;
  /** Logits [n × classes] for the first `n` crops of the fixed input (n = 1 or 10). */
  run(n: number): Promise<Float32Array>;
  /** Batch-1 medians of variants of the same runtime (resnet-edge: other split-K targets), for tuning. */
  variants?(): Promise<Record<string, number>>;
  /** GPU time of one batch-1 pass per kernel, where the runtime exposes it. */
  profile?(): Promise<{ kernelMs: number; kernels: Record<string, number> }>;
  dispose(): Promise<void>;
}

/** Ten fixed pseudo-random crops: crop k, NHWC value i = sin((i + 1009 k) × 0.37) × 1.8 (crop 0 is pnpm bench's input). */
export function crops(size: number, n: number): { nhwc: Float32Array; nchw: Float32Array } {
  const per = size * size * 3, nhwc = new Float32Array(per * n), nchw = new Float32Array(per * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < per; i++) {
      const v = Math.sin((i + 1009 * k) * 0.37) * 1.8, c = i % 3, p = (i - c) / 3;
      nhwc[k * per + i] = v;
      nchw[k * per + c * size * size + p] = v;
    }
  }
  return { nhwc, nchw };
}

export const packPath = (m: ModelPlace, dtype: 'int8' | 'float16') => join(m.dir, `${m.name}.${dtype}.pack`);

/** Logits of one tfjs forward pass of `pack`'s network on the active backend. */
async function tfjsLogits(pack: Pack, layers: ReturnType<typeof uploadLayers>, batch: Float32Array, n: number, size: number): Promise<Float32Array> {
  const out = tf.tidy(() => classifierHead(layers, features(buildPlan(pack.manifest.architecture, size), layers, tf.tensor4d(batch, [n, size, size, 3]))));
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** The wasm reference: the same pack dequantized, on tfjs-backend-wasm (float32, XNNPACK). */
export async function wasmReference(m: ModelPlace, dtype: 'int8' | 'float16'): Promise<Float32Array> {
  await initWasm(m.tfjsWasm, 1);
  const pack = await readPack(new Uint8Array(readFileSync(packPath(m, dtype))));
  const layers = uploadLayers(pack);
  try {
    return await tfjsLogits(pack, layers, crops(m.size, 1).nhwc, 1, m.size);
  } finally {
    disposeLayers(layers);
  }
}

/** A device with the adapter's buffer limits (and timestamps, where the adapter has them). */
async function openDevice(gpu: GpuEntry, features: string[]): Promise<{ device: GPUDevice; adapter: string; has: (f: string) => boolean }> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }) as any;
  const limits = ['maxStorageBufferBindingSize', 'maxBufferSize'];
  const device = await adapter.requestDevice({
    requiredFeatures: features.filter((f) => adapter.features.has(f)), requiredLimits: Object.fromEntries(limits.map((k) => [k, adapter.limits[k]])),
  });
  const info = adapter.info ?? {};
  return { device, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' / '), has: (f) => device.features.has(f) };
}

async function tfjsRunner(m: ModelPlace, gpu: GpuEntry): Promise<GpuRunner> {
  const pack = await readPack(new Uint8Array(readFileSync(packPath(m, 'int8'))));
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const { device, adapter } = await openDevice(gpu, ['timestamp-query']);
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, undefined), 0);
  await tf.setBackend('webgpu');
  const info = { adapter };
  const layers = uploadLayers(pack);
  const input = crops(m.size, 10).nhwc;
  const forward = (n: number) => tfjsLogits(pack, layers, input.subarray(0, n * m.size * m.size * 3), n, m.size);
  return {
    detail: info.adapter,
    run: forward,
    profile: async () => {
      const x = tf.tensor4d(input.subarray(0, m.size * m.size * 3), [1, m.size, m.size, 3]);
      const t = await tf.time(() => tf.tidy(() => classifierHead(layers, features(buildPlan(pack.manifest.architecture, m.size), layers, x))).dispose()) as tf.TimingInfo & { getExtraProfileInfo?: () => string };
      x.dispose();
      const kernels: Record<string, number> = {};
      for (const part of (t.getExtraProfileInfo?.() ?? '').split(', ').filter(Boolean)) {
        const [name, ms] = part.split(': ');
        kernels[name] = (kernels[name] ?? 0) + Number(ms);
      }
      return { kernelMs: t.kernelMs as number, kernels };
    },
    dispose: async () => disposeLayers(layers),
  };
}

async function ortRunner(m: ModelPlace, dtype: 'fp32' | 'fp16'): Promise<GpuRunner> {
  const ort = await import('onnxruntime-web/webgpu');
  // The bundled build keeps its own glue code and is handed the binary (Node's fetch cannot read file paths).
  if (m.ortWasm) ort.env.wasm.wasmBinary = readFileSync(join(m.ortWasm, 'ort-wasm-simd-threaded.asyncify.wasm'));
  ort.env.wasm.numThreads = 1; // the EP computes on the GPU; no pthread workers (they would re-run a bundled bench)
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(m.dir, `${m.name}.${dtype}.onnx`))), {
    executionProviders: ['webgpu'], graphOptimizationLevel: 'all',
  });
  const input = crops(m.size, 10).nchw;
  return {
    detail: `onnxruntime-web ${ort.env.versions.web}`,
    run: async (n) => {
      const feeds = { input: new ort.Tensor('float32', input.subarray(0, n * 3 * m.size * m.size), [n, 3, m.size, m.size]) };
      const out = await session.run(feeds);
      return out.logits.data as Float32Array;
    },
    dispose: () => session.release(),
  };
}

/** resnet-edge's engine on a device of its own, with the adapter's buffer limits and shader-f16 when asked. */
async function engineRunner(m: ModelPlace, gpu: GpuEntry, f16: boolean): Promise<GpuRunner> {
  const pack = await readPack(new Uint8Array(readFileSync(packPath(m, f16 ? 'float16' : 'int8'))));
  const { device, adapter, has } = await openDevice(gpu, ['shader-f16', 'timestamp-query']);
  // As the SDK does: a CPU emulation runs workgroups one after another, where splitting K only adds work.
  const splitTarget = /swiftshader|llvmpipe|lavapipe/i.test(adapter) ? 0 : undefined;
  if (f16 && !has('shader-f16')) throw new Error('the adapter has no shader-f16');
  const timestamps = has('timestamp-query');
  const net = await WebgpuResNet.create(device, pack, m.size, f16 ? 'f16' : 'f32', { maxBufferBytes: device.limits.maxStorageBufferBindingSize, splitTarget });
  const input = crops(m.size, 10).nhwc;
  return {
    detail: `${f16 ? 'fp16' : 'fp32'} storage, fp32 accumulation`,
    run: (n) => net.run(input, n, true),
    profile: timestamps ? () => net.profile(input, 1) : undefined,
    variants: async () => {
      const out: Record<string, number> = {};
      for (const target of [0, 128, 512]) {
        const other = await WebgpuResNet.create(device, pack, m.size, f16 ? 'f16' : 'f32', { splitTarget: target, maxBufferBytes: device.limits.maxStorageBufferBindingSize });
        for (let i = 0; i < 3; i++) await other.run(input, 1, true);
        const times: number[] = [];
        for (let i = 0; i < 15; i++) { const t = performance.now(); await other.run(input, 1, true); times.push(performance.now() - t); }
        out[`split-K target ${target} workgroups`] = times.sort((a, b) => a - b)[7];
        other.dispose();
      }
      return out;
    },
    dispose: async () => { net.dispose(); device.destroy(); },
  };
}

export function makeGpuRunner(name: GpuRunnerName, m: ModelPlace, gpu: GpuEntry): Promise<GpuRunner> {
  if (name === 'tfjs-webgpu') return tfjsRunner(m, gpu);
  if (name.startsWith('re-')) return engineRunner(m, gpu, name === 're-webgpu-f16');
  return ortRunner(m, name === 'ort-webgpu-fp16' ? 'fp16' : 'fp32');
}
