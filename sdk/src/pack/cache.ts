/**
 * Browser caching of fetched packs (Cache API). A cached pack is verified like a downloaded one (manifest,
 * sizes, sha256, integrity); a corrupted entry is deleted and the pack is fetched again.
 */
import { PackError } from '../errors.js';
import type { Pack } from './read.js';

export const CACHE_NAME = 'resnet-edge-packs-v1';

export const cacheAvailable = (): boolean => typeof caches !== 'undefined' && typeof caches.open === 'function';

type Reader = (body: ReadableStream<Uint8Array>) => Promise<Pack>;

/** The pack from the cache when a valid copy is there; undefined (after evicting a bad copy) otherwise. */
export async function fromCache(url: string, read: Reader): Promise<Pack | undefined> {
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(url);
  if (!hit?.body) return undefined;
  try {
    return await read(hit.body);
  } catch (e) {
    if (!(e instanceof PackError)) throw e;
    await cache.delete(url);
    return undefined;
  }
}

/** Reads a network response and stores it in the cache only once it has been verified. */
export async function readAndCache(url: string, res: Response, read: Reader): Promise<Pack> {
  const [mine, copy] = res.body!.tee();
  const cache = await caches.open(CACHE_NAME);
  const stored = cache.put(url, new Response(copy, { headers: res.headers }));
  try {
    const pack = await read(mine);
    await stored;
    return pack;
  } catch (e) {
    await stored.catch(() => undefined);
    await cache.delete(url);
    throw e;
  }
}

