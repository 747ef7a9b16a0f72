/** The SIMD WebAssembly backend (tfjs-backend-wasm) and where its .wasm files are found. */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const isNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/** Directory of tfjs-backend-wasm's .wasm files in Node (browsers use `wasmPaths` or the bundler's copy). */
async function nodeWasmDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return join(dirname(main), '/');
}

export interface WasmInfo { wasmPaths?: string; simd: boolean }

/** Registers and activates the wasm backend. Returns what was used, for diagnostics. */
export async function initWasm(wasmPaths?: string): Promise<WasmInfo> {
  let prefix = wasmPaths;
  if (!prefix && isNode()) prefix = await nodeWasmDir();
  if (prefix) setWasmPaths(prefix);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error(`tfjs could not initialise the wasm backend${prefix ? ` from ${prefix}` : ''}`);
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { wasmPaths: prefix, simd };
}
