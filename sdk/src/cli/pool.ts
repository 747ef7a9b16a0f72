/**
 * Many images use the machine's cores one classifier per worker thread (each on one thread), each image sent to the
 * least busy one; `eval` and batch `classify` use it.
 */
import { Worker } from 'node:worker_threads';
import { ResnetEdgeError, type BackendOption, type ErrorCode, type Prediction } from '../index.js';
import type { Job, Reply } from './worker.js';

interface Slot { worker: Worker; busy: number }

export class ClassifierPool {
  #slots: Slot[] = [];
  #pending = new Map<number, { resolve: (p: Prediction[]) => void; reject: (e: Error) => void }>();
  #next = 0;
  /** Every worker started, ready or not (to stop them all). */
  #all: Worker[] = [];

  static async start(size: number, options: { model?: string; backend?: BackendOption }): Promise<ClassifierPool> {
    const pool = new ClassifierPool();
    const started = await Promise.allSettled(Array.from({ length: size }, () => pool.#spawn(options)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw (failed as PromiseRejectedResult).reason;
    }
    return pool;
  }

  get size(): number { return this.#slots.length; }

  async #spawn(options: { model?: string; backend?: BackendOption }): Promise<void> {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: options });
    this.#all.push(worker);
    const slot: Slot = { worker, busy: 0 };
    await new Promise<void>((ready, fail) => {
      worker.once('error', fail);
      const error = (e: { code?: string; message: string }) => new ResnetEdgeError((e.code ?? 'LOAD_FAILED') as ErrorCode, e.message);
      worker.on('message', (m: Reply) => {
        if ('ready' in m) { this.#slots.push(slot); ready(); return; }
        if ('failed' in m) { fail(error(m.failed)); return; }
        slot.busy--;
        const p = this.#pending.get(m.id)!;
        this.#pending.delete(m.id);
        if ('error' in m) p.reject(error(m.error));
        else p.resolve(m.predictions);
      });
    });
  }

  /** The topK predictions, best first. The bytes are copied to the worker. */
  classify(bytes: Uint8Array, topK: number, crops: 1 | 10 = 1): Promise<Prediction[]> {
    const slot = this.#slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    slot.busy++;
    const copy = new Uint8Array(bytes); // a copy (Buffer#slice would share memory), transferred to the worker
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, bytes: copy, topK, crops } satisfies Job, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map(async (worker) => { worker.postMessage('close'); await worker.terminate(); }));
  }
}
