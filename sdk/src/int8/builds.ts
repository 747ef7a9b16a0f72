/**
 * The int8 kernels' four WebAssembly builds (relaxed SIMD or SIMD128, each on its own or on a shared memory for
 * threads), which one runs here, and instances of it.
 */
import type { KernelExports, KernelPath } from './kernels.js';

/**
 * Each build in its own module (tools/build-kernels.mjs), imported when first needed: an app's bundler splits them,
 * and a page fetches only the build it runs (7–8 KB gzip each).
 */
const BUILDS = {
  relaxed: () => import('./wasm/relaxed.generated.js'),
  simd: () => import('./wasm/simd.generated.js'),
  relaxedMt: () => import('./wasm/relaxedMt.generated.js'),
  simdMt: () => import('./wasm/simdMt.generated.js'),
};
export const bytes = async (build: keyof typeof BUILDS): Promise<Uint8Array<ArrayBuffer>> =>
  Uint8Array.from(atob((await BUILDS[build]()).WASM), (c) => c.charCodeAt(0));

/** A fresh memory for an -mt build (throws where none can be made). */
const newSharedMemory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 16, maximum: 32768, shared: true });

/** A shared memory, where this runtime has one (Node; browsers on cross-origin isolated pages). */
function sharedMemory(): WebAssembly.Memory | undefined {
  if (typeof SharedArrayBuffer === 'undefined') return undefined;
  try {
    return newSharedMemory();
  } catch {
    return undefined;
  }
}

let shareable: boolean | undefined;
/**
 * The build a path runs on here: where memory can be shared, its -mt build serves every instance (threads or not),
 * so that a page fetches one build per path; elsewhere the plain build.
 */
export const buildOf = (path: KernelPath): keyof typeof BUILDS =>
  ((shareable ??= sharedMemory() !== undefined) ? (path === 'relaxed' ? 'relaxedMt' : 'simdMt') : path);

/** A running instance: its exports and its memory (its own, or the shared memory an -mt build imports). */
export interface Instance { k: KernelExports; memory: WebAssembly.Memory }

/** Whether `module` is an -mt build (it imports a shared memory). */
export const importsMemory = (module: WebAssembly.Module): boolean => WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');

/** A fresh instance of `module`, an -mt build on a fresh shared memory. */
export async function instantiate(module: WebAssembly.Module): Promise<Instance> {
  const memory = importsMemory(module) ? newSharedMemory() : undefined;
  const k = (await WebAssembly.instantiate(module, memory ? { env: { memory } } : {})).exports as unknown as KernelExports;
  return { k, memory: memory ?? k.memory! };
}

/** Grows an instance's memory to hold `bytes` past its heap base; returns the heap base. */
export function scratch({ k, memory }: Instance, bytes: number): number {
  const base = k.__heap_base.value as number, have = memory.buffer.byteLength;
  if (have < base + bytes) memory.grow(Math.ceil((base + bytes - have) / 65536));
  return base;
}
