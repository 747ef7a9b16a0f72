/** diagnose(): what resnet-edge would run on here, and why, without a model. */
import { cpuCount } from '#platform';
import { isNode } from '../env.js';
import { DIAGNOSE_CHECKS, checkOptions } from '../options.js';
import { chooseBackend, type BackendAttempt, type BackendName, type BackendOption } from './choose.js';
import type { GpuEntry } from './gpu-entry.js';

/** The options of load() that decide the backend: diagnose() reports what load() does with them (for an int8 pack). */
export interface DiagnoseOptions {
  backend?: BackendOption; compute?: 'int8' | 'float32'; wasmPaths?: string; threads?: number; gpu?: GpuEntry; softwareGpu?: boolean;
}

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
 * Tries every backend the way load() does with these options for an int8 pack like the default model (model limits
 * aside) and reports each outcome: compute (int8 kernels or float32 on tfjs) and threads included. Never throws for an
 * unusable backend: a page can show the result to its user. A bad option is an INVALID_ARGUMENT error, as in load().
 */
export async function diagnose(options: DiagnoseOptions = {}): Promise<Diagnosis> {
  checkOptions(options, DIAGNOSE_CHECKS, 'diagnose()');
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  let chosen: BackendName | null = null, backends: BackendAttempt[];
  const { backend = 'auto', compute = 'int8', ...request } = options;
  try {
    ({ backend: chosen, attempts: backends } = await chooseBackend(backend, { ...request, needBytes: 0, int8: compute === 'int8' }));
  } catch (e) {
    backends = (e as { attempts?: BackendAttempt[] }).attempts ?? [{ backend: 'wasm', ok: false, reason: (e as Error).message }];
  }
  return {
    chosen, backends, runtime: runtimeKind(), crossOriginIsolated: Boolean(g.crossOriginIsolated),
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? (isNode() ? cpuCount() : null),
  };
}
