/**
 * How far preprocess 'fast' strays from 'exact' (docs/preprocessing.md): top-1 agreement, each one's accuracy and the
 * largest probability difference, with the embedded default model on the CIFAR-10 test JPEGs (32×32: nothing to
 * scale) and on photo-sized copies of them (256×256, decoded at 1/8), and on the JPEG photos of ../shared/images with
 * the default model and a seeded ResNet-50 (Resize(256)).
 *
 *   node --import tsx tools/fast-deviation.ts            (needs ../shared and tests/.models; ~3 min)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, type Classifier, type LoadOptions } from 'resnet-edge';
import { convert } from 'resnet-edge/convert';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared');

interface Deviation { images: number; agree: number; exactTop1?: number; fastTop1?: number; maxProbDiff: number }

async function compare(exact: Classifier, fast: Classifier, files: { path: string; label?: number }[]): Promise<Deviation> {
  let agree = 0, exactRight = 0, fastRight = 0, maxProbDiff = 0;
  const n = exact.model.architecture.numClasses;
  for (const { path, label } of files) {
    const bytes = readFileSync(path);
    const [a, b] = [await exact.classify(bytes, { topK: n }), await fast.classify(bytes, { topK: n })];
    if (a[0].index === b[0].index) agree++;
    if (a[0].index === label) exactRight++;
    if (b[0].index === label) fastRight++;
    const pb = new Map(b.map((p) => [p.index, p.probability]));
    for (const p of a) maxProbDiff = Math.max(maxProbDiff, Math.abs(p.probability - pb.get(p.index)!));
  }
  const labelled = files[0].label !== undefined;
  return { images: files.length, agree, maxProbDiff, ...(labelled ? { exactTop1: exactRight / files.length, fastTop1: fastRight / files.length } : {}) };
}

function imageFolder(dir: string): { path: string; label: number }[] {
  return readdirSync(dir).sort().flatMap((cls, label) => readdirSync(join(dir, cls)).sort().map((f) => ({ path: join(dir, cls, f), label })));
}

async function pair(options: LoadOptions): Promise<[Classifier, Classifier]> {
  return Promise.all([load({ ...options, backend: 'wasm' }), load({ ...options, backend: 'wasm', preprocess: 'fast' })]);
}

const tmp = mkdtempSync(join(tmpdir(), 'fast-deviation-'));
try {
  execFileSync('tar', ['xzf', join(SHARED, 'data/cifar10/test.tar.gz'), '-C', tmp]);
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools/upscale_cifar.py'), '--src', join(tmp, 'test'), '--out', join(tmp, 'test256')]);
  const photos = readdirSync(join(SHARED, 'images')).filter((f) => f.endsWith('.jpg')).map((f) => ({ path: join(SHARED, 'images', f) }));
  const results: Record<string, Deviation> = {};
  const [exact, fast] = await pair({});
  results['default model, CIFAR-10 test JPEGs (32×32)'] = await compare(exact, fast, imageFolder(join(tmp, 'test')));
  results['default model, the same upscaled to 256×256 JPEG q90'] = await compare(exact, fast, imageFolder(join(tmp, 'test256')));
  results[`default model, ../shared/images JPEGs (${photos.length})`] = await compare(exact, fast, photos);
  exact.dispose(); fast.dispose();
  const r50 = (await convert(readFileSync(join(ROOT, 'tests/.models/resnet50.safetensors')), { dtype: 'int8', preprocess: { resize: 256, crop: 224 } })).pack;
  const [e50, f50] = await pair({ model: r50 });
  results[`seeded ResNet-50 (Resize(256)), ../shared/images JPEGs (${photos.length})`] = await compare(e50, f50, photos);
  e50.dispose(); f50.dispose();
  console.log(JSON.stringify(results, null, 2));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
