/** One classifier in a worker thread, for `eval --workers N` (see pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { load, type BackendOption } from 'resnet-edge';

export interface Job { id: number; bytes: Uint8Array; topK: number }
export type Reply = { id: number; indices: number[] } | { id: number; error: { name: string; code?: string; message: string } } | { ready: true; threads: number };

const { model, backend } = workerData as { model?: string; backend?: BackendOption };
// One image per worker at a time, workers on every core: the classifier itself runs one thread.
const clf = await load({ model, backend, threads: 1 });
const port = parentPort!;
port.on('message', async (job: Job | 'close') => {
  if (job === 'close') { clf.dispose(); port.close(); return; }
  try {
    const preds = await clf.classify(job.bytes, { topK: job.topK });
    port.postMessage({ id: job.id, indices: preds.map((p) => p.index) } satisfies Reply);
  } catch (e) {
    const err = e as { name: string; code?: string; message: string };
    port.postMessage({ id: job.id, error: { name: err.name, code: err.code, message: err.message } } satisfies Reply);
  }
});
port.postMessage({ ready: true, threads: clf.diagnostics.find((d) => d.backend === clf.backend)?.threads ?? 1 } satisfies Reply);
