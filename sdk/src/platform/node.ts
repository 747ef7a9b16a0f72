/**
 * What resnet-edge does only in Node: files, the paths of its dependencies' wasm, the CPU count. Reached as
 * `#platform` (package.json "imports"): Node gets this file, browsers and bundlers get ./browser.ts, so that
 * no `node:` import ever reaches a browser bundle.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  return readFile(path);
}

/** A file as 1 MiB chunks; `close` releases it early. */
export function fileChunks(path: string | URL): { chunks: AsyncIterable<Uint8Array>; close(): void } {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return { chunks: stream as AsyncIterable<Uint8Array>, close: () => stream.destroy() };
}

/** Directory (with a trailing slash) of tfjs-backend-wasm's .wasm files. */
export function tfjsWasmDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

export const cpuCount = (): number => availableParallelism();

/** A worker thread running `code` (a CommonJS script); unref'd, so that it never keeps Node alive by itself. */
export async function startWorker(code: string): Promise<WorkerLike> {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(code, { eval: true });
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m),
    // A 'message' listener refs the worker again: unref after attaching, so that it never keeps Node alive.
    onMessage: (fn) => { w.on('message', fn); w.unref(); },
    onError: (fn) => { w.on('error', (e) => fn(e.message)); w.unref(); },
    terminate: () => void w.terminate(),
  };
}

export interface WorkerLike {
  postMessage(message: unknown): void;
  onMessage(fn: (message: unknown) => void): void;
  onError(fn: (reason: string) => void): void;
  terminate(): void;
}
