#!/usr/bin/env node
/**
 * pnpm soak [--count N] [--backend int8|float32|webgpu] [--single-crop]: the soak test's loop (tests/soak.test.ts), longer (default
 * 20,000 classifications per setting), printing tf.memory() and the wasm heaps after every round. Exits 1 if
 * tensors, bytes or GPU bytes change after the warm-up round, an answer changes, or the heaps grow more than 1 MiB.
 */
import { existsSync } from 'node:fs';
import { trackWasmMemories } from './soak/heaps.ts';
import { trackedGpu } from './gpu-tracking.ts';

trackWasmMemories();
const { load } = await import('resnet-edge');
const { soak } = await import('./soak/soak.ts');

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const count = Number(arg('count', '20000')), only = arg('backend', ''), tenCrops = !process.argv.includes('--single-crop');
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

let gpuBytes = () => 0;
const settings: Record<string, () => Promise<import('resnet-edge').Classifier>> = {
  int8: () => load({ backend: 'wasm', threads: 2 }),
  float32: () => load({ backend: 'wasm', compute: 'float32' }),
  webgpu: async () => {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const tracked = trackedGpu(create([]) as never);
    gpuBytes = tracked.liveBytes;
    return load({ backend: 'webgpu', gpu: tracked.entry, softwareGpu: true });
  },
};
let failed = false;
for (const [name, open] of Object.entries(settings)) {
  if (only && name !== only) continue;
  const clf = await open();
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const r = await soak(clf, count, (r) => {
    const i = r.tensors.length - 1;
    console.log(`${name} round ${i + 1}/${r.rounds}: ${r.classifications} classifications, ${r.seconds.toFixed(0)} s; tensors ${r.tensors[i]}, tfjs bytes ${r.bytes[i]}, GPU bytes ${r.gpuBytes[i]}, wasm heaps ${mib(r.heapBytes[i])}`);
  }, tenCrops, name === 'webgpu' ? gpuBytes : undefined);
  const flat = (['tensors', 'bytes', 'gpuBytes'] as const).every((k) => r[k].every((v) => v === r[k][0]));
  const ok = flat && r.changedAnswers.length === 0 && r.heapGrowthAfterWarmUp <= 1 << 20;
  console.log(`${name}: ${ok ? 'OK' : 'FAILED'}: ${r.classifications} classifications on ${clf.backend}, memory ${flat ? 'flat' : 'NOT flat'}, `
    + `wasm heaps grew ${r.heapGrowthAfterWarmUp} bytes after the warm-up, ${r.changedAnswers.length} changed answers`);
  failed ||= !ok;
  clf.dispose();
}
process.exit(failed ? 1 : 0);
