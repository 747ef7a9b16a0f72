/** Where a pack comes from: bytes in memory, a URL (fetch, cached in browsers), or a file path / file: URL in Node. */
import { fileChunks } from '#platform';
import { isNode } from '../env.js';
import { PackError, UsageError } from '../errors.js';
import { cacheAvailable, fromCache, readAndCache } from './cache.js';
import { checkIntegrity } from './integrity.js';
import { readPack, readPackStream, type Pack, type ReadProgress } from './read.js';

export type ModelSource = string | URL | ArrayBuffer | Uint8Array;
export type PackOrigin = 'memory' | 'file' | 'network' | 'cache';

export interface OpenOptions {
  onProgress?: (p: ReadProgress) => void;
  signal?: AbortSignal;
  /** Expected sha256 of the whole file, lowercase hex (already parsed). */
  sha256?: string;
  /** Use the browser's Cache API for http(s) packs (default true where it exists). */
  cache?: boolean;
}


function isHttp(url: string): boolean {
  try {
    return /^https?:$/.test(new URL(url, globalThis.location?.href).protocol);
  } catch {
    return false;
  }
}

async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
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

/** Verifies integrity as part of reading, so a mismatching cached copy is evicted like a corrupted one. */
async function verified(pack: Promise<Pack>, sha256?: string): Promise<Pack> {
  const p = await pack;
  if (sha256) await checkIntegrity(p.file, sha256);
  return p;
}

async function fetchPack(url: string, o: OpenOptions): Promise<{ pack: Pack; origin: PackOrigin }> {
  const read = (body: ReadableStream<Uint8Array>) => verified(readPackStream(chunksOf(body), o.onProgress, o.signal), o.sha256);
  const useCache = o.cache !== false && cacheAvailable() && isHttp(url);
  if (useCache) {
    const cached = await fromCache(url, read);
    if (cached) return { pack: cached, origin: 'cache' };
  }
  let res: Response;
  try {
    res = await fetch(url, { signal: o.signal });
  } catch (e) {
    if (o.signal?.aborted) throw o.signal.reason;
    const why = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new PackError('NETWORK_ERROR', `Could not reach ${url}: ${why?.code ?? why?.message ?? (e as Error).message}. Check the address and your connection (and, in a browser, the server's CORS headers).`, { cause: e });
  }
  if (res.status === 404 || res.status === 410) {
    throw new PackError('PACK_NOT_FOUND', `There is no pack at ${url}: the server answered HTTP ${res.status}. Check the URL, or upload the pack there.`);
  }
  if (!res.ok || !res.body) throw new PackError('NETWORK_ERROR', `Fetching the pack from ${url} answered HTTP ${res.status} ${res.statusText}: try again later, or check the server.`);
  return { pack: useCache ? await readAndCache(url, res, read) : await read(res.body), origin: 'network' };
}

async function readFilePack(path: string | URL, o: OpenOptions): Promise<Pack> {
  const file = fileChunks(path);
  try {
    return await verified(readPackStream(file.chunks, o.onProgress, o.signal), o.sha256);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new PackError('PACK_NOT_FOUND', `There is no pack file at ${String(path)} (${code === 'EISDIR' ? 'it is a folder' : 'no such file'}). Check the path; convert a model with \`resnet-edge convert\` to make one.`, { cause: e });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new PackError('PACK_UNREADABLE', `The pack file ${String(path)} cannot be read (${code}: permission denied).`, { cause: e });
    }
    throw e;
  } finally {
    file.close();
  }
}

/** Reads and verifies a pack from any supported source. */
export async function openPack(source: ModelSource, o: OpenOptions = {}): Promise<{ pack: Pack; origin: PackOrigin }> {
  o.signal?.throwIfAborted();
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) return { pack: await verified(readPack(source, o.onProgress), o.sha256), origin: 'memory' };
  const text = source instanceof URL ? source.href : source;
  if (typeof text !== 'string' || text.length === 0) throw new UsageError('INVALID_ARGUMENT', 'load({model}) takes a URL, a file path, an ArrayBuffer or a Uint8Array.');
  if (/^https?:/i.test(text) || (!isNode() && !/^file:/i.test(text))) return fetchPack(text, o);
  if (!isNode()) throw new UsageError('INVALID_ARGUMENT', `Cannot open ${text} here: file paths work in Node only; pass a URL.`);
  return { pack: await readFilePack(/^file:/i.test(text) ? new URL(text) : text, o), origin: 'file' };
}
