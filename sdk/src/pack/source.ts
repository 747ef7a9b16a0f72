/** Where a pack comes from: bytes in memory, a URL (fetch), or a file path / file: URL in Node. */
import { PackError, UsageError } from '../errors.js';
import { readPack, readPackStream, type Pack, type ReadProgress } from './read.js';

export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

const isNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

async function* fromReadable(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function fetchPack(url: string, onProgress?: (p: ReadProgress) => void, signal?: AbortSignal): Promise<Pack> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new PackError('PACK_INVALID', `Could not fetch the pack from ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok || !res.body) throw new PackError('PACK_INVALID', `Fetching the pack from ${url} answered HTTP ${res.status} ${res.statusText}.`);
  return readPackStream(fromReadable(res.body), onProgress);
}

async function readFilePack(path: string | URL, onProgress?: (p: ReadProgress) => void): Promise<Pack> {
  const { createReadStream } = await import('node:fs');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await readPackStream(stream as AsyncIterable<Uint8Array>, onProgress);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new PackError('PACK_INVALID', `Cannot read the pack file ${String(path)} (${code}).`, { cause: e });
    }
    throw e;
  } finally {
    stream.destroy();
  }
}

/** Reads and verifies a pack from any supported source. */
export async function openPack(source: ModelSource, onProgress?: (p: ReadProgress) => void, signal?: AbortSignal): Promise<Pack> {
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) {
    const pack = await readPack(source);
    onProgress?.({ loadedBytes: source.length, totalBytes: source.length });
    return pack;
  }
  const text = source instanceof URL ? source.href : source;
  if (typeof text !== 'string' || text.length === 0) throw new UsageError('INVALID_ARGUMENT', 'load({model}) takes a URL, a file path, an ArrayBuffer or a Uint8Array.');
  if (/^https?:/i.test(text) || (!isNode() && !/^file:/i.test(text))) return fetchPack(text, onProgress, signal);
  if (!isNode()) throw new UsageError('INVALID_ARGUMENT', `Cannot open ${text} here: file paths work in Node only; pass a URL.`);
  return readFilePack(/^file:/i.test(text) ? new URL(text) : text, onProgress);
}
