/**
 * Threads for tfjs-backend-wasm on a cross-origin isolated page: how many, and starting them safely.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { isNode } from '../env.js';
import { NOT_ISOLATED, perCore } from './thread-count.js';

type Nav = { hardwareConcurrency?: number };

/**
 * tfjs-backend-wasm sizes XNNPACK's pool as min(requested, hardwareConcurrency / 2), so a 2-core device
 * gets one thread whatever setThreadsCount says. While the backend starts, the reported core count is
 * doubled so that the requested count (default: every core) is what it gets; it is restored right after.
 */
export async function startWithThreads(threads: number): Promise<{ ok: boolean; failed?: string }> {
  const nav = (globalThis as { navigator?: Nav }).navigator;
  setThreadsCount(threads);
  const own = nav && Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  if (nav) Object.defineProperty(nav, 'hardwareConcurrency', { value: threads * 2, configurable: true });
  const watch = watchWorkers();
  try {
    const outcome = await Promise.race([tf.setBackend('wasm').then((ok) => ({ ok })), watch.failure.then((reason) => ({ reason }))]);
    if ('ok' in outcome) return outcome;
    // The threaded module never becomes ready: start the single-threaded SIMD binary instead.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return { ok: await tf.setBackend('wasm'), failed: `the threaded backend failed to start (${outcome.reason}), so 1 thread runs; ${threadAdvice(outcome.reason)}` };
  } finally {
    watch.stop();
    if (nav) {
      if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
      else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
    }
  }
}

/** What to change, judged from the workers' error: a CSP that refuses their blob: script, or a minified factory. */
export function threadAdvice(reason: string): string {
  if (/importScripts|Content.Security.Policy|\bCSP\b/i.test(reason)) {
    return "the page's Content-Security-Policy probably refused the workers' blob: script: tfjs-backend-wasm starts its "
      + "threads from blob: URLs, so threads need 'blob:' in script-src and worker-src";
  }
  return "a minifier probably rewrote tfjs-backend-wasm's thread factory, which tfjs turns into its workers' source: "
    + 'leave @tensorflow/tfjs-backend-wasm unminified for threads';
}

/** Errors thrown in tfjs' pthread workers (blob: scripts) while the threaded module starts, and a time limit. */
function watchWorkers(limitMs = 30_000): { failure: Promise<string>; stop(): void } {
  const target = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  let onError: (e: Event) => void = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failure = new Promise<string>((resolve) => {
    onError = (e) => {
      const { message = '', filename = '' } = e as ErrorEvent;
      if (!filename.startsWith('blob:') && !/worker sent an error/.test(message)) return;
      e.preventDefault(); // reported in diagnostics instead of as an uncaught error
      resolve(`a worker reported: ${message}`);
    };
    target.addEventListener?.('error', onError);
    timer = setTimeout(() => resolve(`not ready after ${limitMs / 1000} s`), limitMs);
  });
  return { failure, stop: () => { target.removeEventListener?.('error', onError); clearTimeout(timer); } };
}

export async function threadPlan(requested?: number): Promise<{ threads: number; reason: string }> {
  if (isNode()) return { threads: 1, reason: 'tfjs-backend-wasm runs one thread in Node' };
  if (!(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))) {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return { threads: 1, reason: isolated ? 'this browser has no WebAssembly threads' : NOT_ISOLATED };
  }
  return perCore(requested, (globalThis as { navigator?: Nav }).navigator?.hardwareConcurrency ?? 1);
}
