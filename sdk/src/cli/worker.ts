/** One classifier in a worker thread, for `eval` and batch `classify` (see pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { load, type BackendOption, type Prediction } from '../index.js';

export interface Job { id: number; bytes: Uint8Array; topK: number; crops: 1 | 10 }
export type Reply = { id: number; predictions: Prediction[] } | { id: number; error: { name: string; code?: string; message: string } }
  | { ready: true; threads: number } | { failed: { name: string; code?: string; message: string } };

const { model, backend } = workerData as { model?: string; backend?: BackendOption };
// One image per worker at a time, a worker per core, each classifier on one thread (threads: 1): a stream of images
// keeps every core on whole images, with no per-layer hand-off between threads.
const port = parentPort!;
const describe = (e: unknown) => { const err = e as { name: string; code?: string; message: string }; return { name: err.name, code: err.code, message: err.message }; };
let clf: Awaited<ReturnType<typeof load>>;
try {
  clf = await load({ model, backend, threads: 1 });
} catch (e) {
  port.postMessage({ failed: describe(e) } satisfies Reply);
  port.close();
  throw e;
}
port.on('message', async (job: Job | 'close') => {
  if (job === 'close') { clf.dispose(); port.close(); return; }
  try {
    port.postMessage({ id: job.id, predictions: await clf.classify(job.bytes, { topK: job.topK, crops: job.crops }) } satisfies Reply);
  } catch (e) {
    port.postMessage({ id: job.id, error: describe(e) } satisfies Reply);
  }
});
port.postMessage({ ready: true, threads: clf.diagnostics.find((d) => d.backend === clf.backend)?.threads ?? 1 } satisfies Reply);
