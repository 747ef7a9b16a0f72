/**
 * Soak: 1,000 classifications of mixed sizes (tools/soak/soak.ts) on the int8 kernels and on tfjs-backend-wasm, 200
 * single-crop ones on WebGPU (Dawn in Node on SwiftShader, a CPU emulation at ~0.7 s a forward pass here; `pnpm soak
 * --backend webgpu --count 1000` runs the full thousand with 10-crop calls, see README): after the warm-up round, tf.memory() tensors and bytes (and the
 * bytes of live WebGPU buffers) are the same after every round, answers repeat exactly, and the wasm heaps (tfjs wasm, int8 kernels, JPEG
 * decoder) grow by at most 1 MiB in all (measured: 0). `pnpm soak` runs it longer.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { trackedGpu } from '../tools/gpu-tracking.ts';
import { trackWasmMemories, wasmHeapBytes } from '../tools/soak/heaps.ts';

trackWasmMemories();
const { load } = await import('resnet-edge');
const { soak } = await import('../tools/soak/soak.ts');

const HEAP_BOUND = 1 << 20;
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

let gpuBytes = () => 0;
const settings = {
  'int8 kernels (wasm, 2 threads), 1,000': async () => load({ backend: 'wasm', threads: 2 }),
  'tfjs-backend-wasm (compute float32), 1,000': async () => load({ backend: 'wasm', compute: 'float32' }),
  'WebGPU (Dawn, SwiftShader), 200': async () => {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const tracked = trackedGpu(create([]) as never);
    gpuBytes = tracked.liveBytes;
    return load({ backend: 'webgpu', gpu: tracked.entry, softwareGpu: true });
  },
};

describe('soak: classifications of mixed sizes', () => {
  for (const [name, open] of Object.entries(settings)) {
    it(name, { timeout: 600_000 }, async () => {
      const clf = await open();
      const count = Number(/([\d,]+)$/.exec(name)![1].replace(',', ''));
      const r = await soak(clf, count, undefined, !name.startsWith('WebGPU'), name.startsWith('WebGPU') ? gpuBytes : undefined);
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
      console.log(`${name}: ${r.classifications} classifications in ${r.seconds.toFixed(0)} s on ${clf.backend}; tensors ${r.tensors[0]} → ${r.tensors.at(-1)}, `
        + `tfjs bytes ${r.bytes[0]} → ${r.bytes.at(-1)}, GPU bytes ${r.gpuBytes[0]} → ${r.gpuBytes.at(-1)}, wasm heaps ${mib(r.heapBytes[0])} → ${mib(r.heapBytes.at(-1)!)}`);
      assert.ok(r.classifications >= count);
      assert.deepEqual(r.changedAnswers, []);
      for (const k of ['tensors', 'bytes', 'gpuBytes'] as const) assert.ok(r[k].every((v) => v === r[k][0]), `${k} changed: ${r[k]}`);
      assert.ok(r.heapGrowthAfterWarmUp <= HEAP_BOUND, `wasm heaps grew ${r.heapGrowthAfterWarmUp} bytes after the warm-up: ${r.heapBytes}`);
      clf.dispose();
      assert.ok(wasmHeapBytes() > 0, 'the heaps were tracked');
    });
  }
});
