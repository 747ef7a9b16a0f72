/**
 * The transfer experiment of your own labels: a CIFAR ResNet-20 trained on five classes only (airplane, automobile,
 * bird, cat, deer: tools/train_cifar.py --classes …) is taught the five it never saw (dog, frog, horse, ship, truck) from
 * the first 20 and the first 100 training JPEGs of each, and tested on those classes' 5,000 test JPEGs: kNN (k 3) and
 * the linear head, on the int8 pack (what load() runs by default) and a float32 pack, beside PyTorch's figures for the
 * same algorithms on the same images (tools/teach_reference.py).
 *
 *   node --import tsx tools/transfer.ts --weights tools/transfer-model/resnet20.safetensors --out tools/transfer-model
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'resnet-edge';
import { convert } from 'resnet-edge/convert';
import { readTar } from '../sdk/src/cli/tar.ts';

const arg = (name: string, dflt?: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const weights = arg('weights')!, out = arg('out', '.')!;
const ROOT = join(import.meta.dirname, '..'), DATA = join(ROOT, '..', 'shared', 'data', 'cifar10');
const SEEN = ['airplane', 'automobile', 'bird', 'cat', 'deer'], NEW = ['dog', 'frog', 'horse', 'ship', 'truck'];

/** The JPEGs of the new classes, sorted by path; the first `perClass` of each when given. */
function jpegs(archive: string, perClass = Infinity): { cls: number; bytes: Uint8Array }[] {
  const count = NEW.map(() => 0), out: { cls: number; bytes: Uint8Array }[] = [];
  const sorted = [...readTar(readFileSync(join(DATA, archive)))].filter((e) => e.path.endsWith('.jpg')).sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const e of sorted) {
    const cls = NEW.indexOf(e.path.split('/').at(-2)!);
    if (cls >= 0 && count[cls]++ < perClass) out.push({ cls, bytes: e.data });
  }
  return out;
}

const test = jpegs('test.tar.gz');
const rows: string[] = [];
for (const perClass of [20, 100]) {
  const name = `transfer-${perClass}.json`;
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools', 'teach_reference.py'), '--weights', weights, '--classes', NEW.join(','),
    '--per-class', String(perClass), '--out', out, '--name', name], { stdio: 'inherit' });
  const ref = JSON.parse(readFileSync(join(out, name), 'utf8')) as { top1: number; linearTop1: number };
  const ours: Record<string, [number, number]> = {};
  for (const dtype of ['int8', 'float32'] as const) {
    const clf = await load({ model: (await convert(readFileSync(weights), { dtype, labels: SEEN })).pack, backend: 'wasm' });
    const knn = clf.knn({ k: 3 });
    for (const e of jpegs('train.tar.gz', perClass)) await knn.addExample(e.bytes, NEW[e.cls]);
    const head = knn.trainLinear();
    let k = 0, l = 0;
    for (const e of test) {
      if ((await knn.classify(e.bytes, { topK: 1 }))[0].label === NEW[e.cls]) k++;
      if ((await head.classify(e.bytes, { topK: 1 }))[0].label === NEW[e.cls]) l++;
    }
    ours[dtype] = [k / test.length, l / test.length];
    clf.dispose();
  }
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  rows.push(`| ${perClass} | ${pct(ours.int8[0])} | ${pct(ours.float32[0])} | ${pct(ref.top1)} | ${pct(ours.int8[1])} | ${pct(ours.float32[1])} | ${pct(ref.linearTop1)} |`);
}
const table = ['| JPEGs per new class | kNN, int8 pack | kNN, float32 pack | kNN, PyTorch | linear, int8 pack | linear, float32 pack | linear, PyTorch |',
  '|---|---|---|---|---|---|---|', ...rows].join('\n');
const text = `Transfer: a ResNet-20 trained on ${SEEN.join(', ')} only (${weights}), taught ${NEW.join(', ')}; top-1 on their ${test.length} test JPEGs.\n\n${table}\n`;
writeFileSync(join(out, 'transfer.md'), text);
console.log(text);
