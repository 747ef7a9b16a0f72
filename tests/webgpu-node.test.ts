/**
 * WebGPU in Node through npm `webgpu` (Dawn) on SwiftShader: same answers as wasm, the choice 'auto' makes and
 * why, fallback when the adapter is missing or too small, when the device is destroyed in the middle of a run
 * or reports out-of-memory, and GPU memory that does not grow and is given back.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, diagnose, load, type BackendChangeEvent, type GpuEntry } from 'resnet-edge';
import { convertReference, maxAbsDiff, modelInput, reference } from './helpers.ts';

const softmax = (l: ArrayLike<number>) => { const a = Array.from(l); const m = Math.max(...a); const e = a.map((v) => Math.exp(v - m)); const s = e.reduce((x, y) => x + y); return e.map((v) => v / s); };

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

let gpu: GpuEntry;
const packs: Record<string, Uint8Array> = {};
type Device = { destroy(): void; queue: { submit(b: unknown): void }; popErrorScope(): Promise<unknown> };
const device = (): Device => (tf.findBackend('webgpu') as unknown as { device: Device }).device;
const gpuMemory = () => tf.getBackend() === 'webgpu'
  ? tf.memory() as tf.MemoryInfo & { numBytesInGPU: number; numBytesAllocatedInGPU: number } : assert.fail('not on webgpu');

before(async () => {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  gpu = create([]) as GpuEntry;
  packs.cifar20 = (await convertReference('cifar20', 'onnx', 'int8')).pack;
  packs.resnet18 = (await convertReference('resnet18', 'safetensors', 'int8')).pack;
});

/** An entry point whose adapter reports `limits` instead of its own. */
const shrunk = (limits: Record<string, number>): GpuEntry => ({
  requestAdapter: async (o) => {
    const a = await gpu.requestAdapter(o) as { limits: Record<string, number> };
    return new Proxy(a, { get: (t, k) => (k === 'limits' ? { ...Object.fromEntries(Object.keys(limits).map((n) => [n, t.limits[n]])), ...limits } : Reflect.get(t, k, t)) });
  },
});

describe('WebGPU (Dawn, SwiftShader) vs SIMD wasm', () => {
  for (const name of ['cifar20', 'resnet18'] as const) {
    it(`${name} int8: probabilities within 1e-3 of wasm computing in float32, auto chooses webgpu`, async (t) => {
      const image = modelInput(reference(name));
      const g = await load({ model: packs[name], gpu, softwareGpu: true });
      const w = await load({ model: packs[name], backend: 'wasm', compute: 'float32' });
      try {
        assert.equal(g.backend, 'webgpu');
        assert.match(g.diagnostics[0].reason, /^adapter .*SwiftShader.*probe agrees with wasm/i);
        const [pg, pw] = [await g.classify(image, { topK: 10 }), await w.classify(image, { topK: 10 })];
        const byIndex = (p: typeof pg) => p.map((x) => x.probability).slice().sort();
        assert.deepEqual(pg.map((p) => p.index), pw.map((p) => p.index));
        const diff = maxAbsDiff(softmax(await g.logits(image)), softmax(await w.logits(image)));
        t.diagnostic(`Node Dawn ${name}: max |p_webgpu - p_wasm| = ${diff.toExponential(2)}`);
        assert.ok(diff <= 1e-3);
        assert.ok(maxAbsDiff(byIndex(pg), byIndex(pw)) <= 1e-3, JSON.stringify([pg, pw]));
        if (name === 'cifar20') { // 10 crops in one batch (SwiftShader takes ~10 s per ResNet-18 image, so CIFAR only)
          const ten = [await g.classify(image, { crops: 10, topK: 3 }), await w.classify(image, { crops: 10, topK: 3 })];
          assert.ok(maxAbsDiff(ten[0].map((p) => p.probability), ten[1].map((p) => p.probability)) <= 1e-3);
        }
      } finally {
        g.dispose();
        w.dispose();
      }
    });
  }

  it('weights are uploaded once: no tensor or GPU byte growth over 20 calls; dispose() gives the GPU memory back', async () => {
    await tf.setBackend('webgpu');
    const start = gpuMemory();
    const clf = await load({ model: packs.cifar20, gpu, softwareGpu: true });
    const image = modelInput(reference('cifar20'));
    await clf.classify(image);
    await tf.setBackend('webgpu');
    const warm = gpuMemory();
    for (let i = 0; i < 20; i++) await clf.classify(image);
    await tf.setBackend('webgpu');
    const after = gpuMemory();
    assert.equal(after.numTensors, warm.numTensors);
    assert.equal(after.numBytesInGPU, warm.numBytesInGPU);
    assert.equal(after.numBytesAllocatedInGPU, warm.numBytesAllocatedInGPU);
    clf.dispose();
    await tf.setBackend('webgpu');
    const end = gpuMemory();
    assert.equal(end.numBytesInGPU, start.numBytesInGPU);
    assert.equal(end.numBytesAllocatedInGPU, start.numBytesAllocatedInGPU);
  });
});

describe('choice and fallback', () => {
  it('no WebGPU entry point: auto uses wasm and says why; webgpu alone is a NO_BACKEND error', async () => {
    const clf = await load({ model: packs.cifar20 });
    assert.equal(clf.backend, 'wasm');
    assert.match(clf.diagnostics[0].reason, /navigator\.gpu is not available/);
    clf.dispose();
    await assert.rejects(load({ model: packs.cifar20, backend: 'webgpu' }),
      (e: BackendError) => e instanceof BackendError && e.code === 'NO_BACKEND' && /webgpu: navigator\.gpu is not available/.test(e.message));
  });

  it('requestAdapter() → null: wasm, with the reason', async () => {
    const clf = await load({ model: packs.cifar20, gpu: { requestAdapter: async () => null } });
    assert.equal(clf.backend, 'wasm');
    assert.deepEqual(clf.diagnostics.map((d) => [d.backend, d.ok]), [['webgpu', false], ['wasm', true]]);
    assert.match(clf.diagnostics[0].reason, /requestAdapter\(\) returned null/);
    clf.dispose();
  });

  it('a buffer limit too small for the model: wasm, naming the limit and the need', async () => {
    const clf = await load({ model: packs.resnet18, gpu: shrunk({ maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 30 }) });
    assert.equal(clf.backend, 'wasm');
    assert.match(clf.diagnostics[0].reason, /maxStorageBufferBindingSize is 1\.0 MiB, but this model needs a 9\.0 MiB buffer for one image/);
    clf.dispose();
  });

  it("'auto' passes over SwiftShader (a CPU emulation) unless softwareGpu is set", async () => {
    const d = await diagnose({ gpu });
    assert.equal(d.chosen, 'wasm');
    assert.match(d.backends[0].reason, /SwiftShader.* emulates a GPU on the CPU, where SIMD wasm is faster/);
  });

  it('diagnose() needs no model and reports both backends', async () => {
    const d = await diagnose({ gpu, softwareGpu: true });
    assert.equal(d.chosen, 'webgpu');
    assert.equal(d.runtime, 'node');
    assert.deepEqual(d.backends.map((b) => [b.backend, b.ok]), [['webgpu', true], ['wasm', true]]);
    assert.match(d.backends[1].reason, /1 thread: tfjs-backend-wasm runs one thread in Node/);
  });

  it('device destroyed in the middle of a run: the pending calls answer right on wasm, the app is told, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const image = modelInput(reference('cifar20'));
    const w = await load({ model: packs.cifar20, backend: 'wasm' });
    const expected = await w.logits(image);
    const events: BackendChangeEvent[] = [], callbacks: string[] = [];
    const clf = await load({ model: packs.cifar20, gpu, softwareGpu: true, onBackendChange: (e) => callbacks.push(`${e.from}->${e.to}`) });
    clf.addEventListener('backendchange', (e) => events.push(e as BackendChangeEvent));
    assert.equal(clf.backend, 'webgpu');
    const dev = device(), submit = dev.queue.submit.bind(dev.queue);
    let submits = 0;
    dev.queue.submit = (b) => { submit(b); if (++submits === 2) dev.destroy(); };
    const all = await Promise.all(Array.from({ length: 5 }, () => clf.logits(image)));
    assert.ok(submits >= 2, 'the device was destroyed after work was submitted');
    for (const logits of all) assert.ok(maxAbsDiff(logits, expected) <= 1e-4);
    assert.equal(clf.backend, 'wasm');
    assert.deepEqual(callbacks, ['webgpu->wasm']);
    assert.equal(events.length, 1);
    assert.match(events[0].reason, /WebGPU device was lost \(destroyed/);
    assert.deepEqual(clf.diagnostics.map((d) => [d.backend, d.ok]), [['webgpu', false], ['wasm', true]]);
    assert.ok(maxAbsDiff(await clf.logits(image), expected) <= 1e-4, 'later calls run on wasm');
    clf.dispose();
    const again = await load({ model: packs.cifar20, gpu, backend: 'webgpu' });
    assert.equal(again.backend, 'webgpu', 'a later load gets a new device');
    const float = await load({ model: packs.cifar20, backend: 'wasm', compute: 'float32' });
    assert.ok(maxAbsDiff(await again.logits(image), await float.logits(image)) <= 1e-3);
    float.dispose();
    again.dispose();
    w.dispose();
    await new Promise((r) => setTimeout(r, 200));
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, []);
  });

  it('an out-of-memory error reported by the device (simulated through its error scope): answer on wasm, app told', async () => {
    const image = modelInput(reference('cifar20'));
    const clf = await load({ model: packs.cifar20, gpu, softwareGpu: true });
    assert.equal(clf.backend, 'webgpu');
    const wasm = await load({ model: packs.cifar20, backend: 'wasm' });
    const expected = await wasm.logits(image);
    wasm.dispose();
    const dev = device(), pop = dev.popErrorScope.bind(dev);
    let calls = 0;
    dev.popErrorScope = () => (++calls === 1 ? Promise.resolve({ message: 'Out of memory (simulated)' }) : pop());
    const reasons: string[] = [];
    clf.addEventListener('backendchange', (e) => reasons.push((e as BackendChangeEvent).reason));
    assert.ok(maxAbsDiff(await clf.logits(image), expected) <= 1e-4);
    dev.popErrorScope = pop;
    assert.equal(clf.backend, 'wasm');
    assert.match(reasons[0], /WebGPU failed: WebGPU reported: Out of memory \(simulated\)/);
    clf.dispose();
  });
});
