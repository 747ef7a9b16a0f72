/** diagnose(): what resnet-edge would run on here, and why, without a model. */
import { cpuCount } from '#platform';
import { isNode } from '../env.js';
import { chooseBackend, type BackendAttempt, type BackendName } from './choose.js';
import type { GpuEntry } from './webgpu.js';

export interface DiagnoseOptions { wasmPaths?: string; threads?: number; gpu?: GpuEntry; softwareGpu?: boolean }

export interface Diagnosis {
  /** What load({ backend: 'auto' }) would choose here, or null when nothing works. */
  chosen: BackendName | null;
  /** Every backend considered, in order of preference, and why it was or was not usable. */
  backends: BackendAttempt[];
  runtime: 'node' | 'browser' | 'worker' | 'other';
  /** Whether the page may use SharedArrayBuffer (wasm threads need it). */
  crossOriginIsolated: boolean;
  hardwareConcurrency: number | null;
}

function runtimeKind(): Diagnosis['runtime'] {
  if (isNode()) return 'node';
  const g = globalThis as { document?: unknown; importScripts?: unknown };
  if (g.document) return 'browser';
  return g.importScripts ? 'worker' : 'other';
}

/**
 * Tries every backend the way load() does (model limits aside) and reports each outcome. Never throws
 * for an unusable backend: a page can show the result to its user.
 */
export async function diagnose(options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  let chosen: BackendName | null = null, backends: BackendAttempt[];
  try {
    ({ backend: chosen, attempts: backends } = await chooseBackend('auto', { ...options, needBytes: 0 }));
  } catch (e) {
    backends = (e as { attempts?: BackendAttempt[] }).attempts ?? [{ backend: 'wasm', ok: false, reason: (e as Error).message }];
  }
  return {
    chosen, backends, runtime: runtimeKind(), crossOriginIsolated: Boolean(g.crossOriginIsolated),
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? (isNode() ? cpuCount() : null),
  };
}
