/** The five readers under fuzz, with their seed files (tests/.models/fuzz, made by tools/fuzz_seeds.py; kNN files made here). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from 'resnet-edge/convert';
import { load, ResnetEdgeError } from 'resnet-edge';
import { readPack, readPackStream } from 'resnet-edge/pack';
import { int, type Rng } from './mutate.ts';
import { knnCase } from './knn.ts';
import { onnxCase } from './onnx.ts';
import { packCase } from './pack.ts';
import { pytorchCase } from './pytorch.ts';
import type { Target } from './run.ts';
import { safetensorsCase } from './safetensors.ts';

const DIR = join(import.meta.dirname, '..', '..', 'tests', '.models', 'fuzz');
const seed = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

const outcome = async (p: () => Promise<unknown>) => {
  try { await p(); return 'accepted'; } catch (e) { if (e instanceof ResnetEdgeError) return e.code; throw e; }
};

async function* chunks(bytes: Uint8Array, r: Rng) {
  for (let at = 0; at < bytes.length;) { const n = int(r, 1, 65536); yield bytes.slice(at, at + n); at += n; }
}

const image = { data: Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256), width: 32, height: 32, channels: 3 as const };

/** A pack that reads must load and answer: probabilities that are finite and sum to 1, or a typed error. */
async function classifies(bytes: Uint8Array): Promise<void> {
  const clf = await load({ model: bytes, backend: 'wasm', threads: 1 });
  try {
    const top = await clf.classify(image, { topK: clf.model.labels.length });
    const sum = top.reduce((s, p) => s + p.probability, 0);
    if (!top.every((p) => Number.isFinite(p.probability)) || Math.abs(sum - 1) > 1e-6) throw new Error(`probabilities ${top.map((p) => p.probability)}`);
  } catch (e) {
    if (!(e instanceof ResnetEdgeError)) throw e;
  } finally {
    clf.dispose();
  }
}

export async function targets(loads = 300): Promise<Target[]> {
  const safetensors = seed('cifar8.safetensors');
  const packs = [];
  for (const dtype of ['int8', 'float16', 'float32'] as const) packs.push((await convert(safetensors, { dtype })).pack);
  let budget = loads;
  // kNN files: taught on the default model (3 labels, 6 examples; and an empty one), read back by that model.
  const base = await load({ backend: 'wasm', threads: 1 });
  const knn = base.knn({ k: 2 });
  for (let i = 0; i < 6; i++) await knn.addExample({ ...image, data: image.data.map((v) => (v * (i + 3)) % 256) }, ['a', 'b', 'c'][i % 3]);
  const knnSeeds = [knn.save(), base.knn().save()];
  return [
    {
      name: 'pack', seeds: packs, makeCase: packCase,
      async read(bytes, r) {
        const whole = await outcome(() => readPack(bytes));
        const streamed = await outcome(() => readPackStream(chunks(bytes, r)));
        if (whole !== streamed) throw new Error(`readPack says ${whole}, readPackStream says ${streamed}`);
        if (whole !== 'accepted') await readPack(bytes); // rethrows the typed error for the counts
        return bytes;
      },
      async after(_, bytes) { if (budget-- > 0) await classifies(bytes); },
    },
    {
      name: 'onnx', seeds: [seed('cifar8-bn.onnx'), seed('cifar8-folded.onnx')], makeCase: onnxCase,
      read: (bytes, r) => convert(bytes, r() < 0.5 ? { format: 'onnx' } : {}),
      async after(value) { await readPack((value as { pack: Uint8Array }).pack); },
    },
    {
      name: 'safetensors', seeds: [safetensors], makeCase: safetensorsCase,
      read: (bytes, r) => convert(bytes, r() < 0.5 ? { format: 'safetensors' } : {}),
      async after(value) { await readPack((value as { pack: Uint8Array }).pack); },
    },
    {
      name: 'knn', seeds: knnSeeds, makeCase: knnCase,
      read: async (bytes) => base.loadKnn(bytes),
      async after(value) {
        const k = value as ReturnType<typeof base.loadKnn>;
        if (k.labels.length === 0) return;
        const top = await k.classify(image, { topK: k.labels.length });
        if (!top.every((p) => p.probability >= 0 && p.probability <= 1)) throw new Error(`vote shares ${top.map((p) => p.probability)}`);
      },
    },
    {
      name: 'pytorch', seeds: [seed('cifar8.zip.pth'), seed('cifar8.legacy.pth')], makeCase: pytorchCase,
      read: (bytes, r) => convert(bytes, r() < 0.5 ? { format: 'pytorch' } : {}),
      async after(value) { await readPack((value as { pack: Uint8Array }).pack); },
    },
  ];
}
