/**
 * `resnet-edge teach <folder> -o <new.pack>`: one sub-folder per label (ImageFolder), every image an example on the
 * base model's embeddings, a linear softmax head trained on them, written as a complete pack (see custom/linear.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_URL, load, UsageError, type BackendOption } from '../index.js';
import { labelledImages } from './images.js';
import { Progress } from './progress.js';
import type { Out } from './run.js';

export interface TeachOptions { model?: string; backend?: BackendOption; name?: string; epochs?: number; tty: boolean }

export async function teachCommand(folder: string, output: string, o: TeachOptions, out: Out): Promise<void> {
  const images = [...labelledImages(folder)];
  const labels = new Set(images.map((i) => i.className));
  if (labels.size < 2) {
    throw new UsageError('INVALID_ARGUMENT', `${folder} holds ${labels.size === 0 ? 'no images in class folders' : `images of one label only (${[...labels][0]})`}: teach needs a sub-folder of images for each of at least 2 labels.`);
  }
  const source = new Uint8Array(readFileSync(o.model ?? fileURLToPath(DEFAULT_MODEL_URL())));
  const clf = await load({ model: source, backend: o.backend });
  try {
    const knn = clf.knn();
    const progress = new Progress(images.length, out.stderr, o.tty, 5000, 'teach');
    for (const img of images) {
      await knn.addExample(img.bytes, img.className);
      progress.tick(false);
    }
    progress.end();
    const head = knn.trainLinear({ epochs: o.epochs });
    const pack = await head.toPack(source, { name: o.name });
    writeFileSync(output, pack);
    out.stderr(`${images.length} examples of ${labels.size} labels (${Object.entries(knn.counts).map(([l, n]) => `${l} ${n}`).join(', ')}); `
      + `the head gets ${(100 * head.trainingAccuracy).toFixed(1)} % of them right\n`);
    out.stdout(`wrote ${output} (${head.labels.length} labels, ${clf.model.dtype}, ${(pack.length / 1e6).toFixed(2)} MB)\n`);
  } finally {
    clf.dispose();
  }
}
