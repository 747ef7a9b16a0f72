/**
 * `resnet-edge classify`: a table (or --json) for a few image files; JSON Lines for batches — folders, lists, tar
 * archives, --jsonl or -o — one line per image, an error being a line of its own, with progress on stderr, a
 * deterministic --shard k/n and --resume, so that any job runner can spread an archive over machines.
 */
import { closeSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ClassifyOptions, Prediction } from '../index.js';
import { openClassifier, withClassifier, type Out, type RunOptions } from './run.js';
import { doneImages, expandInputs, inShard, type InputImage } from './inputs.js';
import { ClassifierPool } from './pool.js';
import { Progress } from './progress.js';

const pct = (p: number): string => `${(p * 100).toFixed(2)} %`;

/** A few image files: a table per image, or one JSON array of arrays (--json). The first failure ends the run. */
export async function classifyFiles(images: string[], options: ClassifyOptions, o: RunOptions & { json?: boolean }, out: Out): Promise<void> {
  await withClassifier(o, async (clf) => {
    const results: Prediction[][] = [];
    for (const path of images) {
      const preds = await clf.classify(readFileSync(path), options);
      results.push(preds);
      if (!o.json) {
        out.stdout(`${path}\n`);
        preds.forEach((p, i) => out.stdout(`  ${i + 1}. ${pct(p.probability).padStart(8)}  ${p.label}  [${p.index}]\n`));
      }
    }
    if (o.json) out.stdout(`${JSON.stringify(results)}\n`);
  });
}

export interface BatchOptions extends RunOptions {
  topK?: number; crops: 1 | 10; output?: string; shard?: { k: number; n: number }; resume: boolean; workers?: number; tty: boolean;
}

/** Where JSON Lines go: stdout, or a file (appended to when resuming, after cutting a line a killed run left half-written). */
function sink(o: BatchOptions, out: Out): { write: (line: string) => void; close: () => void } {
  if (!o.output) return { write: (l) => out.stdout(l), close: () => {} };
  if (o.resume) {
    try {
      const text = readFileSync(o.output, 'utf8');
      if (text && !text.endsWith('\n')) truncateSync(o.output, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    } catch {
      // no earlier output: start one
    }
  }
  const fd = openSync(o.output, o.resume ? 'a' : 'w');
  return { write: (l) => { writeSync(fd, l); }, close: () => closeSync(fd) };
}

const errorLine = (image: string, e: unknown) => {
  const err = e as { name?: string; code?: string; message?: string };
  return JSON.stringify({ image, error: { code: err.code ?? 'IMAGE_UNREADABLE', message: err.message ?? String(e) } });
};

/** Each image's line, in input order, from one classifier or a pool of them. */
async function* lines(images: InputImage[], o: BatchOptions): AsyncGenerator<[string, boolean]> {
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), images.length));
  const topK = o.topK ?? 5;
  if (workers === 1) {
    const clf = await openClassifier(o);
    try {
      for (const img of images) {
        try {
          yield [JSON.stringify({ image: img.name, top: await clf.classify(img.read(), { topK, crops: o.crops }) }), false];
        } catch (e) {
          yield [errorLine(img.name, e), true];
        }
      }
    } finally {
      clf.dispose();
    }
    return;
  }
  const pool = await ClassifierPool.start(workers, { model: o.model, backend: o.backend });
  try {
    const inFlight: Promise<[string, boolean]>[] = [];
    const one = async (img: InputImage): Promise<[string, boolean]> => {
      try {
        return [JSON.stringify({ image: img.name, top: await pool.classify(img.read(), topK, o.crops) }), false];
      } catch (e) {
        return [errorLine(img.name, e), true];
      }
    };
    for (const img of images) {
      inFlight.push(one(img));
      if (inFlight.length >= 2 * pool.size) yield await inFlight.shift()!;
    }
    while (inFlight.length) yield await inFlight.shift()!;
  } finally {
    await pool.close();
  }
}

export async function classifyBatch(args: string[], o: BatchOptions, out: Out): Promise<void> {
  let images = expandInputs(args);
  const found = images.length;
  if (o.shard) images = images.filter((img) => inShard(img.name, o.shard!));
  const done = o.resume && o.output ? doneImages(o.output) : new Set<string>();
  images = images.filter((img) => !done.has(img.name));
  const progress = new Progress(images.length, out.stderr, o.tty);
  const target = sink(o, out);
  try {
    if (images.length) {
      for await (const [line, error] of lines(images, o)) {
        target.write(`${line}\n`);
        progress.tick(error);
      }
    }
  } finally {
    target.close();
    progress.end();
  }
  const shard = o.shard ? `shard ${o.shard.k}/${o.shard.n} of ${found}: ` : '';
  const skipped = done.size ? `, ${done.size} already in ${o.output}` : '';
  out.stderr(`classify: ${shard}${progress.done} images in ${progress.seconds.toFixed(1)} s, ${progress.errors} error${progress.errors === 1 ? '' : 's'}${skipped}${o.output ? ` → ${o.output}` : ''}\n`);
}
