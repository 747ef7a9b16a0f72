/** The SIMD WebAssembly backend (tfjs-backend-wasm) and where its .wasm files are found. */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { isNode } from '../env.js';
import { tfjsWasmDir } from '#platform';
import { bundledWasmFiles } from './wasm-files.js';
import { startWithThreads, threadPlan } from './wasm-threads.js';

export interface WasmInfo {
  wasmPaths?: string;
  simd: boolean;
  /** Threads XNNPACK actually runs on (the calling thread included). */
  threads: number;
  /** Why the thread count is what it is. */
  threadsReason: string;
}

/** The binary tfjs will load, from the same feature flags it uses to choose. */
async function wasmFileName(): Promise<string> {
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return simd && threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
}

/**
 * Fetches the first bytes of the .wasm file tfjs failed to load, so that a wrong path fails with the URL and what
 * came back (instead of tfjs' "expected magic word"). Only the first chunk is read.
 */
async function checkWasmUrl(url: string, advice: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch the wasm file at ${url}: ${(e as Error).message}`);
  }
  const reader = res.body?.getReader();
  const first = reader ? (await reader.read()).value ?? new Uint8Array(0) : new Uint8Array(0);
  await reader?.cancel().catch(() => undefined);
  const magic = first[0] === 0x00 && first[1] === 0x61 && first[2] === 0x73 && first[3] === 0x6d;
  if (!res.ok || !magic) {
    const type = res.headers.get('content-type') ?? 'no content-type';
    const text = new TextDecoder().decode(first.subarray(0, 40)).replace(/\s+/g, ' ').trim();
    throw new Error(`the wasm file at ${url} answered HTTP ${res.status} (${type}) starting with "${text}", not WebAssembly: ${advice}`);
  }
}

let started: WasmInfo | undefined;

/**
 * Registers and activates the wasm backend, started once per page or process (the first call's wasmPaths and
 * threads hold; a failed start is tried again by the next call). Returns what it runs with.
 */
export async function initWasm(wasmPaths?: string, requestedThreads?: number): Promise<WasmInfo> {
  if (started) {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not switch back to its wasm backend');
    return started;
  }
  return (started = await start(wasmPaths, requestedThreads));
}

const PATHS_ADVICE = "serve @tensorflow/tfjs-backend-wasm's dist/*.wasm (or resnet-edge's dist/wasm/*.wasm) there, or pass the right wasmPaths prefix";
const BUNDLER_ADVICE = 'the app\'s bundler did not emit resnet-edge\'s dist/wasm/ files (Vite and webpack 5 do; '
  + 'with rollup, copy node_modules/resnet-edge/dist/wasm/*.wasm into a wasm/ folder beside the bundle), or pass wasmPaths: a URL prefix where they are served';

/**
 * Starts tfjs' wasm backend from `wasmPaths` (a prefix), Node's copy, or the files the bundler emitted. The .wasm file
 * is fetched once, by tfjs; only when the start fails is its URL fetched again, to say what answered there.
 */
async function start(wasmPaths?: string, requestedThreads?: number): Promise<WasmInfo> {
  let prefix = wasmPaths;
  if (!prefix && isNode()) prefix = tfjsWasmDir();
  const file = await wasmFileName();
  const files = prefix ? undefined : bundledWasmFiles();
  setWasmPaths(prefix ?? files!);
  let plan = await threadPlan(requestedThreads);
  let ok = false, failure: unknown;
  try {
    if (plan.threads > 1) {
      const started = await startWithThreads(plan.threads);
      ok = started.ok;
      if (started.failed) plan = { threads: 1, reason: started.failed };
    } else {
      ok = await tf.setBackend('wasm');
    }
  } catch (e) {
    failure = e;
  }
  if (!ok) {
    if (!isNode()) {
      const url = prefix ? new URL(prefix + file, globalThis.location?.href).href : files![file];
      await checkWasmUrl(url, prefix ? PATHS_ADVICE : BUNDLER_ADVICE);
    }
    const why = failure instanceof Error ? `: ${failure.message}` : '';
    throw new Error(`tfjs could not initialise the wasm backend${prefix ? ` from ${prefix}` : ''}${why}`);
  }
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = getThreadsCount();
  const threadsReason = threads === plan.threads ? plan.reason : `${plan.reason}; tfjs started ${threads}`;
  return { wasmPaths: prefix, simd, threads, threadsReason };
}
