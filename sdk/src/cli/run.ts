/** What every CLI command shares: where output goes, and a classifier opened from the command's options. */
import { load, type BackendOption, type Classifier, type GpuEntry } from '../index.js';

export interface Out { stdout: (s: string) => void; stderr: (s: string) => void }
export interface RunOptions { model?: string; backend?: BackendOption }

/** WebGPU in Node comes from the npm package 'webgpu' (Dawn), an optional peer: undefined when it is not installed. */
export async function nodeGpu(): Promise<GpuEntry | undefined> {
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    return create([]) as GpuEntry;
  } catch {
    return undefined;
  }
}

export async function openClassifier(o: RunOptions): Promise<Classifier> {
  const gpu = o.backend === 'webgpu' ? await nodeGpu() : undefined;
  return load({ model: o.model, backend: o.backend, gpu });
}

export async function withClassifier<T>(o: RunOptions, fn: (c: Classifier) => Promise<T>): Promise<T> {
  const clf = await openClassifier(o);
  try { return await fn(clf); } finally { clf.dispose(); }
}
