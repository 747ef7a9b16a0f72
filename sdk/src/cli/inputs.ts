/**
 * The images a batch `classify` works through: image files, folders (recursively), `@list.txt` files (one path per
 * line, relative to the list) and tar archives (gzipped or not), in a stable order; the share of a shard; and the
 * images a previous run already wrote to a JSON Lines file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ImageError } from '../errors.js';
import { CliUsage } from './args.js';
import { readTar } from './tar.js';

/** One image: its name in the output (a path, or archive:member) and how to get its bytes. */
export interface InputImage { name: string; read: () => Uint8Array }

/** A file's bytes, or an ImageError that says why there are none. */
function readImage(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImageError('IMAGE_NOT_FOUND', `There is no image file at ${path}.`, { cause: e });
    throw new ImageError('IMAGE_INVALID', `Cannot read the image file ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export const IMAGE = /\.(jpe?g|png)$/i;
export const ARCHIVE = /\.(tar|tar\.gz|tgz)$/i;

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (IMAGE.test(entry.name)) yield path;
  }
}

function* expand(arg: string): Generator<InputImage> {
  if (arg.startsWith('@')) {
    const list = arg.slice(1);
    const lines = readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const line of lines) yield* expand(resolve(dirname(list), line));
    return;
  }
  if (!existsSync(arg)) {
    // A missing file is an error line of its own, not the end of the batch.
    yield { name: arg, read: () => readImage(arg) };
    return;
  }
  if (statSync(arg).isDirectory()) {
    for (const path of walk(arg)) yield { name: path, read: () => readImage(path) };
  } else if (ARCHIVE.test(arg)) {
    for (const { path, data } of readTar(readFileSync(arg))) if (IMAGE.test(path)) yield { name: `${arg}:${path}`, read: () => data };
  } else {
    yield { name: arg, read: () => readImage(arg) };
  }
}

/** Whether these arguments call for a batch (JSON Lines) rather than a table. */
export const isBatch = (args: string[]): boolean =>
  args.some((a) => a.startsWith('@') || ARCHIVE.test(a) || (existsSync(a) && statSync(a).isDirectory()));

export function expandInputs(args: string[]): InputImage[] {
  const out: InputImage[] = [];
  for (const a of args) for (const img of expand(a)) out.push(img);
  return out;
}

/** `k/n` (1 ≤ k ≤ n) as numbers. */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(m?.[1]), n = Number(m?.[2]);
  if (!m || n < 1 || k < 1 || k > n) throw new CliUsage(`--shard must be k/n with 1 ≤ k ≤ n, got "${text}"`, 'classify');
  return { k, n };
}

/** The k-th of n shares: an image belongs to the shard its name hashes to, whatever else the inputs hold. */
export function inShard(name: string, { k, n }: { k: number; n: number }): boolean {
  return createHash('sha256').update(name).digest().readUInt32BE(0) % n === k - 1;
}

/** Names of the images a JSON Lines file already holds (a line cut short by a killed run is ignored). */
export function doneImages(file: string): Set<string> {
  const done = new Set<string>();
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line) as { image?: unknown };
      if (typeof r.image === 'string') done.add(r.image);
    } catch {
      // the last line of an interrupted run
    }
  }
  return done;
}
