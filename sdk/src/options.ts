/**
 * Every option of load() and diagnose() checked before anything starts: unknown names (a typo would otherwise be
 * ignored), types, and ranges. Each failure is a UsageError INVALID_ARGUMENT that names the option and what it takes.
 */
import { UsageError } from './errors.js';
import { isNode } from './env.js';
import { cpuCount } from '#platform';

const BACKENDS = ['auto', 'webgpu', 'wasm'] as const;
const COMPUTES = ['int8', 'float32'] as const;

const bad = (message: string) => new UsageError('INVALID_ARGUMENT', message);
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'function' ? 'a function' : String(v));

/** The most wasm threads that make sense here: one per core. */
export function maxThreads(): number {
  const cores = isNode() ? cpuCount() : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, cores ?? 1);
}

type Check = (value: unknown, name: string) => void;
const oneOf = (values: readonly string[]): Check => (v, name) => {
  if (!values.includes(v as string)) throw bad(`${name} must be ${values.map((x) => `'${x}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, got ${show(v)}.`);
};
const typeOf = (type: 'string' | 'boolean' | 'function' | 'object', what: string): Check => (v, name) => {
  if (typeof v !== type || v === null) throw bad(`${name} must be ${what}, got ${show(v)}.`);
};
const threads: Check = (v, name) => {
  const cap = maxThreads();
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > cap) {
    throw bad(`${name} must be an integer from 1 to ${cap} (one per core here), got ${show(v)}.`);
  }
};
const gpu: Check = (v, name) => {
  if (typeof (v as { requestAdapter?: unknown } | null)?.requestAdapter !== 'function') {
    throw bad(`${name} must be a WebGPU entry point with requestAdapter() (navigator.gpu, or create([]) from the npm package 'webgpu'), got ${show(v)}.`);
  }
};
const signal: Check = (v, name) => {
  if (!(typeof AbortSignal !== 'undefined' && v instanceof AbortSignal)) throw bad(`${name} must be an AbortSignal, got ${show(v)}.`);
};

const RUN_CHECKS: Record<string, Check> = {
  backend: oneOf(BACKENDS), compute: oneOf(COMPUTES), threads, gpu,
  wasmPaths: typeOf('string', 'a URL prefix (a string ending in /)'), softwareGpu: typeOf('boolean', 'true or false'),
};

export const LOAD_CHECKS: Record<string, Check> = {
  ...RUN_CHECKS,
  model: (v, name) => {
    if (!(typeof v === 'string' || v instanceof URL || v instanceof ArrayBuffer || v instanceof Uint8Array)) {
      throw bad(`${name} must be a URL, a file path (Node), an ArrayBuffer or a Uint8Array, got ${show(v)}.`);
    }
  },
  onProgress: typeOf('function', 'a function'), onBackendChange: typeOf('function', 'a function'), signal,
  integrity: typeOf('string', '"sha256-<base64>" or 64 hex digits'), cache: typeOf('boolean', 'true or false'),
  preprocess: oneOf(['exact', 'fast']),
};

export const DIAGNOSE_CHECKS: Record<string, Check> = RUN_CHECKS;

/** Throws INVALID_ARGUMENT for an unknown option or a bad value; undefined values are left to the defaults. */
export function checkOptions(options: unknown, checks: Record<string, Check>, where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw bad(`${where} takes an options object, got ${show(options)}.`);
  for (const [key, value] of Object.entries(options)) {
    const check = checks[key];
    if (!check) throw bad(`${where} has no option ${JSON.stringify(key)}; it takes ${Object.keys(checks).join(', ')}.`);
    if (value !== undefined) check(value, key);
  }
}
