/**
 * Backend choice, in the manner of onnxruntime-web: try each candidate, keep every reason, and throw one
 * error listing them all when none works.
 *
 * 'auto' starts wasm first (the fallback), then takes WebGPU only when an adapter exists, its buffer limits
 * hold the model, and a probe network run by resnet-edge's WebGPU engine agrees with a plain-loop reference.
 */
import { BackendError, UsageError } from '../errors.js';
import { PROBE_TOLERANCE, probeDifference } from '../webgpu/probe.js';
import { exclusive } from './queue.js';
import { availablePaths, relaxedDotChoice } from '../int8/kernels.js';
import { isNode } from '../env.js';
import { cpuCount } from '#platform';
import { initWebgpu, mib } from './webgpu.js';
import type { GpuEntry } from './gpu-entry.js';
import { NOT_ISOLATED, perCore, threadsText } from './thread-count.js';

export type BackendName = 'webgpu' | 'wasm';
export type BackendOption = 'auto' | BackendName;

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why it was or was not used, in words. */
  reason: string;
  /** wasm: threads XNNPACK runs on. */
  threads?: number;
  /** webgpu: the adapter's name. */
  adapter?: string;
  /** wasm: 'int8' on resnet-edge's int8 kernels, 'float32' on tfjs-backend-wasm. */
  compute?: 'int8' | 'float32';
}

export interface BackendRequest {
  wasmPaths?: string;
  threads?: number;
  gpu?: GpuEntry;
  /** Let 'auto' choose a CPU-emulated adapter (SwiftShader, lavapipe…), slower than SIMD wasm. Default false. */
  softwareGpu?: boolean;
  /** Largest buffer the model needs for one image, in bytes (0 when no model is given). */
  needBytes: number;
  /** wasm runs resnet-edge's int8 kernels (an int8 pack with compute 'int8'): tfjs' wasm backend is not started for it. */
  int8?: boolean;
}

export interface BackendChoice { backend: BackendName; attempts: BackendAttempt[] }

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Threads for the int8 kernels: they need shared memory (Node; a cross-origin isolated page). */
function int8Threads(requested?: number): { threads: number; reason: string } {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (!isNode() && !g.crossOriginIsolated) return { threads: 1, reason: NOT_ISOLATED };
  return perCore(requested, isNode() ? cpuCount() : g.navigator?.hardwareConcurrency ?? 1);
}

/** The int8 kernels' dot-product form for a model they run, in words (relaxed SIMD only: SIMD128 has one form). */
export function dotText(path: 'relaxed' | 'simd'): string {
  const dot = relaxedDotChoice();
  if (path !== 'relaxed') return '';
  return dot ? `; ${dot.form} dot products (${dot.speedup.toFixed(1)}× the ${dot.form === 'fused' ? 'paired' : 'fused'} form's speed in a start-up probe)`
    : '; fused dot products (no probe for a model this small)';
}

/** The Winograd tiles the int8 kernels run 3×3 stride-1 convolutions by (resnet.ts decides), in words. */
export const winogradText = (tiles: number[]): string =>
  (tiles.length ? `; 3×3 convolutions by Winograd ${tiles.map((m) => `F(${m}×${m}, 3×3)`).join(' and ')}` : '');

/** What the int8 kernels run with, in words: the instruction set, the threads and why so many. */
export function int8Reason(path: 'relaxed' | 'simd', threads: number, why: string): string {
  const isa = path === 'relaxed' ? 'relaxed SIMD' : 'SIMD128 (no relaxed SIMD here)';
  return `resnet-edge's int8 kernels, ${isa}, ${threadsText(threads)}: ${why}`;
}

/**
 * Starts wasm and says how it runs; never throws. Used by the choice and by the run-time fallback. With `int8`,
 * resnet-edge's int8 kernels (no tfjs backend to start); where they cannot run, tfjs' wasm backend in float32.
 */
export async function tryWasm(req: Pick<BackendRequest, 'wasmPaths' | 'threads' | 'int8'>): Promise<BackendAttempt> {
  let why = '';
  if (req.int8) {
    const [path] = await availablePaths();
    if (path) {
      const plan = int8Threads(req.threads);
      return { backend: 'wasm', ok: true, compute: 'int8', threads: plan.threads, reason: int8Reason(path, plan.threads, plan.reason) };
    }
    why = 'no WebAssembly SIMD128 for the int8 kernels, so tfjs computes in float32: ';
  }
  try {
    // tfjs is loaded here, the first time a model computes on it (never on the int8 path).
    const { initWasm } = await import('./wasm.js');
    const w = await initWasm(req.wasmPaths, req.threads);
    const kind = `${w.simd ? 'SIMD' : 'non-SIMD'} WebAssembly${w.wasmPaths ? ` from ${w.wasmPaths}` : ''}`;
    return { backend: 'wasm', ok: true, compute: 'float32', reason: `${why}${kind}, ${threadsText(w.threads)}: ${w.threadsReason}`, threads: w.threads };
  } catch (e) {
    return { backend: 'wasm', ok: false, reason: `${why}${describe(e)}` };
  }
}

/**
 * Starts WebGPU; when `checked` ('auto'), a CPU-emulated adapter is passed over unless softwareGpu, and the probe
 * network must agree with its plain-loop reference.
 */
async function tryWebgpu(req: BackendRequest, checked: boolean): Promise<BackendAttempt> {
  let adapter: string | undefined;
  try {
    const info = await initWebgpu(req.gpu, req.needBytes, !checked || Boolean(req.softwareGpu));
    adapter = info.adapter;
    const need = req.needBytes ? `, buffers up to ${mib(info.maxBufferBytes)} (model needs ${mib(req.needBytes)})` : '';
    if (!checked) return { backend: 'webgpu', ok: true, reason: `adapter ${adapter}${need}`, adapter };
    const diff = await probeDifference(info.device, info.maxBufferBytes);
    if (!(diff <= PROBE_TOLERANCE)) {
      throw new Error(`adapter ${adapter} computes wrong results: the probe network differs from its reference by ${diff.toExponential(2)} (tolerance ${PROBE_TOLERANCE})`);
    }
    return { backend: 'webgpu', ok: true, reason: `adapter ${adapter}${need}; probe agrees with the reference (${diff.toExponential(1)})`, adapter };
  } catch (e) {
    adapter ??= (e as { adapter?: string }).adapter;
    return { backend: 'webgpu', ok: false, reason: describe(e), ...(adapter ? { adapter } : {}) };
  }
}

/** Picks a backend: each candidate tried once, every outcome kept. */
export function chooseBackend(option: BackendOption, req: BackendRequest): Promise<BackendChoice> {
  return exclusive(() => choose(option, req));
}

async function choose(option: BackendOption, req: BackendRequest): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = [];
  if (option === 'wasm') {
    attempts.push(await tryWasm(req));
  } else if (option === 'webgpu') {
    attempts.push(await tryWebgpu(req, false));
  } else if (option === 'auto') {
    const wasm = await tryWasm(req);
    attempts.push(await tryWebgpu(req, true), wasm);
  } else {
    throw new UsageError('INVALID_ARGUMENT', `backend must be 'auto', 'webgpu' or 'wasm', got ${JSON.stringify(option)}.`);
  }
  const chosen = attempts.find((a) => a.ok);
  if (!chosen) throw noBackend(attempts);
  return { backend: chosen.backend, attempts };
}

/** The NO_BACKEND error: every failure, one per line; `attempts` keeps them for code. */
export function noBackend(attempts: BackendAttempt[]): BackendError & { attempts: BackendAttempt[] } {
  const error = new BackendError('NO_BACKEND', `No backend could be initialised:\n${attempts.map((a) => `- ${a.backend}: ${a.reason}`).join('\n')}`);
  return Object.assign(error, { attempts });
}
