/** The bench in a browser page (served with COOP/COEP by browser.ts); window.bench is driven by Playwright. */
import * as ort from 'onnxruntime-web';
import { availablePaths } from 'resnet-edge/internal';
import { coldStart, interleaved, makeRunner, PAGE_RUNNERS, scaling, type ModelFiles, type ScalingData, type Ort, type RunnerName } from './runners.ts';
import { endToEnd } from './page-e2e.ts';

const CROP: Record<string, number> = { cifar20: 32, resnet18: 224, resnet50: 224 };
ort.env.wasm.wasmPaths = '/ort/';

const bytes = async (file: string) => new Uint8Array(await (await fetch(`/models/${file}`)).arrayBuffer());
const files = (model: string): ModelFiles => ({ crop: CROP[model], pack: () => bytes(`${model}.int8.pack`), onnx: (k) => bytes(`${model}.${k}.onnx`) });
const opts = (threads: number) => ({ threads, ort: ort as unknown as Ort, wasmPaths: '/wasm/' });

/** The WebGPU adapter, if any, and whether it is a real GPU (CPU emulations are 80× slower than wasm: not run). */
async function gpuAdapter(): Promise<{ name: string | null; usable: boolean }> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) return { name: null, usable: false };
  const name = Object.values(adapter.info ?? {}).filter((v) => typeof v === 'string' && v).join(' / ') || 'unnamed';
  return { name, usable: !/swiftshader|llvmpipe|lavapipe|softpipe|warp/i.test(name) && !(adapter.info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter };
}

/** Interleaved latency of every runner the page has (or of `only`), per model. */
async function latency(threads: number, rounds: number, models: string[], only?: RunnerName[]) {
  ort.env.wasm.numThreads = threads;
  const relaxed = (await availablePaths()).includes('relaxed'), gpu = (await gpuAdapter()).usable;
  const names = PAGE_RUNNERS.filter((n) => (n !== 're-int8-simd' || relaxed) && (n !== 're-webgpu' || gpu) && (!only || only.includes(n)));
  const out: Record<string, unknown> = {};
  for (const model of models) {
    const runners = [];
    for (const n of names) runners.push(await makeRunner(n, files(model), opts(threads)));
    out[model] = { times: await interleaved(runners, rounds), detail: Object.fromEntries(runners.map((r) => [r.name, r.detail])) };
    for (const r of runners) await r.dispose();
  }
  return out;
}

/** resnet-edge's 2-thread ÷ 1-thread runs, interleaved, per model and int8 build (the SIMD128 one where relaxed SIMD exists too). */
async function threadScaling(rounds: number, models: string[]) {
  const names: RunnerName[] = (await availablePaths()).includes('relaxed') ? ['re-int8', 're-int8-simd'] : ['re-int8'];
  const out: ScalingData = {};
  for (const model of models) for (const n of names) (out[model] ??= {})[n] = await scaling(n, files(model), 2, rounds, opts(1));
  return out;
}

async function cold(name: RunnerName, model: string, threads: number) {
  ort.env.wasm.numThreads = threads;
  const { ms, run } = await coldStart(name, files(model), opts(threads));
  for (let i = 0; i < 5; i++) await run();
  const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  (window as unknown as { gc?: () => void }).gc?.();
  return { ms, memoryBytes: measure ? (await measure.call(performance)).bytes : null };
}

(window as unknown as { bench: unknown }).bench = { latency, threadScaling, cold, gpuAdapter, endToEnd, ready: true };
