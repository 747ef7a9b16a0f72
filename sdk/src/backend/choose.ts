/**
 * Backend choice: try each candidate in order, collect every failure, and throw one error that lists
 * them all when none works.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { initWasm } from './wasm.js';

export type BackendName = 'webgpu' | 'wasm';
export type BackendOption = 'auto' | BackendName;

export interface BackendAttempt { backend: BackendName; ok: boolean; reason: string }

async function initWebgpu(): Promise<void> {
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (!gpu) throw new Error('navigator.gpu is not available (no WebGPU in this runtime)');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise the webgpu backend (no adapter or device)');
  await tf.ready();
}

/** Candidates in order. 'auto' currently picks the SIMD wasm backend, the path validated against PyTorch. */
const CANDIDATES: Record<BackendOption, BackendName[]> = { auto: ['wasm'], wasm: ['wasm'], webgpu: ['webgpu'] };

export async function chooseBackend(option: BackendOption, wasmPaths?: string): Promise<{ backend: BackendName; attempts: BackendAttempt[] }> {
  const candidates = CANDIDATES[option];
  if (!candidates) throw new BackendError('NO_BACKEND', `Unknown backend ${JSON.stringify(option)}: use 'auto', 'webgpu' or 'wasm'.`);
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    try {
      if (backend === 'wasm') {
        const w = await initWasm(wasmPaths);
        const kind = `${w.simd ? 'SIMD' : 'non-SIMD'} WebAssembly`;
        attempts.push({ backend, ok: true, reason: `${kind}${w.wasmPaths ? ` from ${w.wasmPaths}` : ''}` });
      } else {
        await initWebgpu();
        attempts.push({ backend, ok: true, reason: 'WebGPU adapter and device acquired' });
      }
      return { backend, attempts };
    } catch (e) {
      attempts.push({ backend, ok: false, reason: (e as Error).message });
    }
  }
  throw new BackendError('NO_BACKEND', `No backend could be initialised:\n${attempts.map((a) => `- ${a.backend}: ${a.reason}`).join('\n')}`);
}
