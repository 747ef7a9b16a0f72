/** The CLI's convert, eval and diagnose commands (classify: classify.ts); main.ts handles arguments and errors. */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { convert, type ConvertOptions } from '../convert/index.js';
import { diagnose, UsageError, type BackendOption, type Classifier, type Compute } from '../index.js';
import { nodeGpu, withClassifier, type Out, type RunOptions } from './run.js';
import { labelledImages, type LabelledImage } from './images.js';
import { ClassifierPool } from './pool.js';


export async function convertCommand(input: string, output: string, options: ConvertOptions, out: Out): Promise<void> {
  const { pack, architecture: a, report, name, notes } = await convert(readFileSync(input), options);
  writeFileSync(output, pack);
  for (const note of notes) out.stderr(`note: ${note}\n`);
  out.stderr(`${name}: ${a.block} blocks${a.strideIn1x1 ? ' (stride on the first 1×1: v1)' : ''} [${a.stages.map((s) => s.blocks).join(', ')}], shortcut ${a.shortcut}, ${a.numClasses} classes, ${report.parameters.toLocaleString('en')} parameters\n`);
  out.stderr(`${'layer'.padEnd(24)} ${'rel. error'.padStart(11)} ${'max |err|'.padStart(11)} ${'SQNR dB'.padStart(8)}\n`);
  for (const l of report.layers) {
    out.stderr(`${l.name.padEnd(24)} ${l.relativeError.toExponential(3).padStart(11)} ${l.maxAbsError.toExponential(3).padStart(11)} ${l.sqnrDb.toFixed(1).padStart(8)}\n`);
  }
  const t = report.total;
  out.stderr(`${'total'.padEnd(24)} ${t.relativeError.toExponential(3).padStart(11)} ${t.maxAbsError.toExponential(3).padStart(11)} ${t.sqnrDb.toFixed(1).padStart(8)}\n`);
  out.stdout(`wrote ${output} (${report.dtype}, ${(pack.length / 1e6).toFixed(2)} MB)\n`);
}

export interface EvalResult { top1: number; top5: number; n: number; imagesPerSecond: number; workers: number }

/** Index of each class folder name among the pack's labels (exact, case-insensitive, or first synonym). */
function labelIndex(labels: readonly string[]): (className: string) => number {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
  const map = new Map<string, number>();
  labels.forEach((l, i) => { map.set(norm(l), i); if (!map.has(norm(l.split(',')[0]))) map.set(norm(l.split(',')[0]), i); });
  return (c) => {
    const i = map.get(norm(c));
    if (i === undefined) throw new UsageError('INVALID_ARGUMENT', `Class folder "${c}" matches none of the model's labels (${labels.slice(0, 5).join('; ')}…).`);
    return i;
  };
}

export interface EvalOptions extends RunOptions { workers: number; json?: boolean }

/** Predicted class indices for each image, on this thread or spread over a pool of worker threads. */
async function* predictions(clf: Classifier, images: Iterable<LabelledImage>, topK: number, o: EvalOptions): AsyncGenerator<[LabelledImage, number[]]> {
  if (o.workers <= 1) {
    for (const img of images) yield [img, (await clf.classify(img.bytes, { topK })).map((p) => p.index)];
    return;
  }
  const pool = await ClassifierPool.start(o.workers, { model: o.model, backend: o.backend });
  try {
    const inFlight: Promise<[LabelledImage, number[]]>[] = [];
    for (const img of images) {
      inFlight.push(pool.classify(img.bytes, topK).then((p) => [img, p.map((x) => x.index)]));
      if (inFlight.length >= 2 * pool.size) yield await inFlight.shift()!;
    }
    while (inFlight.length) yield await inFlight.shift()!;
  } finally {
    await pool.close();
  }
}

function* take<T>(items: Iterable<T>, limit: number | undefined): Generator<T> {
  let n = 0;
  for (const item of items) {
    if (limit !== undefined && n++ >= limit) return;
    yield item;
  }
}

export async function evalCommand(source: string, limit: number | undefined, o: EvalOptions, out: Out): Promise<EvalResult> {
  return withClassifier(o, async (clf) => {
    const indexOf = labelIndex(clf.model.labels);
    const k = Math.min(5, clf.model.architecture.numClasses);
    let n = 0, top1 = 0, top5 = 0;
    const t0 = performance.now();
    for await (const [img, indices] of predictions(clf, take(labelledImages(source), limit), k, o)) {
      const truth = indexOf(img.className);
      n++;
      if (indices[0] === truth) top1++;
      if (indices.includes(truth)) top5++;
      if (!o.json && n % 1000 === 0) out.stderr(`${n} images, top-1 ${((100 * top1) / n).toFixed(2)} %\n`);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (n === 0) throw new UsageError('INVALID_ARGUMENT', `No images found in ${source}: expected <folder>/<class name>/*.jpg|png.`);
    const r: EvalResult = { top1: (100 * top1) / n, top5: (100 * top5) / n, n, imagesPerSecond: n / seconds, workers: o.workers };
    if (o.json) out.stdout(`${JSON.stringify(r)}\n`);
    else out.stdout(`${basename(source)}: top-1 ${r.top1.toFixed(2)} %, top-5 ${r.top5.toFixed(2)} % on ${n} images (${r.imagesPerSecond.toFixed(1)} images/s, ${clf.backend}, ${o.workers} worker${o.workers > 1 ? 's' : ''}, ${clf.model.name} ${clf.model.dtype})\n`);
    return r;
  });
}

export interface DiagnoseCommandOptions { backend?: BackendOption; compute?: Compute; threads?: number; softwareGpu: boolean }

/** What load() would run on here with these options, and why (WebGPU through the npm package 'webgpu' when installed). */
export async function diagnoseCommand(o: DiagnoseCommandOptions, out: Out): Promise<void> {
  out.stdout(`${JSON.stringify(await diagnose({ gpu: await nodeGpu(), softwareGpu: o.softwareGpu, backend: o.backend, compute: o.compute, threads: o.threads }), null, 2)}\n`);
}
