/** The browser side of `#platform` (see ./node.ts): no file system; callers reach these only in Node (isNode()). */
const nodeOnly = (what: string): never => {
  throw new Error(`${what} is only available in Node`);
};

export const readFileBytes = (path: string | URL): Promise<Uint8Array> => nodeOnly(`Reading the file ${String(path)}`);
export const fileChunks = (path: string | URL): { chunks: AsyncIterable<Uint8Array>; close(): void } => nodeOnly(`Reading the file ${String(path)}`);
export const tfjsWasmDir = (): string => nodeOnly('A package directory');
export const cpuCount = (): number => nodeOnly('The CPU count');

export interface WorkerLike {
  postMessage(message: unknown): void;
  onMessage(fn: (message: unknown) => void): void;
  onError(fn: (reason: string) => void): void;
  terminate(): void;
}

/** A dedicated worker running `code`, from a blob: URL (a CSP without blob: in worker-src refuses it: the caller then runs alone). */
export async function startWorker(code: string): Promise<WorkerLike> {
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const w = new Worker(url);
  return {
    postMessage: (m) => w.postMessage(m),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => w.addEventListener('error', (e) => { e.preventDefault(); fn(e.message || 'the worker failed to start'); }),
    terminate: () => { w.terminate(); URL.revokeObjectURL(url); },
  };
}
