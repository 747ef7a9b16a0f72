/**
 * tfjs-backend-wasm runs one thread in Node, so `eval` uses the machine's cores the other way: one classifier
 * per worker thread, each image sent to the least busy one.
 */
import { Worker } from 'node:worker_threads';
import { ResnetEdgeError, type BackendOption, type ErrorCode } from 'resnet-edge';
import type { Job, Reply } from './worker.js';

interface Slot { worker: Worker; busy: number }

export class ClassifierPool {
  #slots: Slot[] = [];
  #pending = new Map<number, { resolve: (i: number[]) => void; reject: (e: Error) => void }>();
  #next = 0;

  static async start(size: number, options: { model?: string; backend?: BackendOption }): Promise<ClassifierPool> {
    const pool = new ClassifierPool();
    await Promise.all(Array.from({ length: size }, () => pool.#spawn(options)));
    return pool;
  }

  get size(): number { return this.#slots.length; }

  async #spawn(options: { model?: string; backend?: BackendOption }): Promise<void> {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: options });
    const slot: Slot = { worker, busy: 0 };
    await new Promise<void>((ready, fail) => {
      worker.once('error', fail);
      worker.on('message', (m: Reply) => {
        if ('ready' in m) { this.#slots.push(slot); ready(); return; }
        slot.busy--;
        const p = this.#pending.get(m.id)!;
        this.#pending.delete(m.id);
        if ('error' in m) p.reject(new ResnetEdgeError((m.error.code ?? 'LOAD_FAILED') as ErrorCode, m.error.message));
        else p.resolve(m.indices);
      });
    });
  }

  /** Class indices of the topK predictions, best first. The bytes are copied to the worker. */
  classify(bytes: Uint8Array, topK: number): Promise<number[]> {
    const slot = this.#slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    slot.busy++;
    const copy = new Uint8Array(bytes); // a copy (Buffer#slice would share memory), transferred to the worker
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, bytes: copy, topK } satisfies Job, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map(async ({ worker }) => { worker.postMessage('close'); await worker.terminate(); }));
  }
}
