/**
 * WebGPU in Node through npm `webgpu` (Dawn) on SwiftShader: resnet-edge's WebGPU engine gives the same answers as
 * wasm (basic and bottleneck blocks, int8 and float16 packs, 10 crops), 'auto' chooses it and says why, fallback
 * when the adapter is missing or too small, when the device is destroyed in the middle of a run or reports
 * out-of-memory, and GPU memory that does not grow and is given back.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { BackendError, diagnose, load, type BackendChangeEvent, type GpuEntry } from 'resnet-edge';
import { trackedGpu, type TrackedDevice, type TrackedGpu } from '../tools/gpu-tracking.ts';
import { convertReference, maxAbsDiff, modelInput, reference } from './helpers.ts';

const softmax = (l: ArrayLike<number>) => { const a = Array.from(l); const m = Math.max(...a); const e = a.map((v) => Math.exp(v - m)); const s = e.reduce((x, y) => x + y); return e.map((v) => v / s); };

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

let tracking: TrackedGpu;
let gpu: GpuEntry;
const packs: Record<string, Uint8Array> = {};
const device = (): TrackedDevice => tracking.devices.at(-1)!;
const liveBytes = () => tracking.liveBytes();

before(async () => {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  tracking = trackedGpu(create([]) as GpuEntry);
  gpu = tracking.entry;
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

/** Max |p_webgpu - p_wasm| over the classes, wasm computing the same pack in float32. */
async function againstWasm(pack: Uint8Array, image: Uint8Array, crops: 1 | 10 = 1): Promise<number> {
  const g = await load({ model: pack, gpu, softwareGpu: true });
  const w = await load({ model: pack, backend: 'wasm', compute: 'float32' });
  try {
    assert.equal(g.backend, 'webgpu');
    if (crops === 10) {
      const [a, b] = [await g.classify(image, { crops: 10, topK: 3 }), await w.classify(image, { crops: 10, topK: 3 })];
      assert.deepEqual(a.map((p) => p.index), b.map((p) => p.index));
      return maxAbsDiff(a.map((p) => p.probability), b.map((p) => p.probability));
    }
    return maxAbsDiff(softmax(await g.logits(image)), softmax(await w.logits(image)));
  } finally {
    g.dispose();
    w.dispose();
  }
}

describe("resnet-edge's WebGPU engine (Dawn, SwiftShader) vs SIMD wasm", () => {
  it('cifar20 int8 (option-A shortcuts): auto chooses webgpu after its probe; 1 and 10 crops within 1e-3 of wasm', async (t) => {
    const clf = await load({ model: packs.cifar20, gpu, softwareGpu: true });
    assert.equal(clf.backend, 'webgpu');
    assert.match(clf.diagnostics[0].reason, /^adapter .*SwiftShader.*probe agrees with the reference \(\d/i);
    clf.dispose();
    const image = modelInput(reference('cifar20'));
    const [one, ten] = [await againstWasm(packs.cifar20, image), await againstWasm(packs.cifar20, image, 10)];
    t.diagnostic(`cifar20: max |p_webgpu - p_wasm| = ${one.toExponential(2)} (1 crop), ${ten.toExponential(2)} (10 crops)`);
    assert.ok(one <= 1e-3 && ten <= 1e-3);
  });

  it('resnet18 int8 (ImageNet stem, max-pool, projections; 224×224): within 1e-3 of wasm', async (t) => {
    const diff = await againstWasm(packs.resnet18, modelInput(reference('resnet18')));
    t.diagnostic(`resnet18: max |p_webgpu - p_wasm| = ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-3);
  });

  it('resnet50 bottlenecks (int8 and float16 packs, at 64×64): within 1e-3 of wasm', async (t) => {
    for (const dtype of ['int8', 'float16'] as const) {
      const { pack } = await convertReference('resnet50', 'safetensors', dtype, { preprocess: { resize: 64, crop: 64 } });
      const diff = await againstWasm(pack, modelInput(reference('resnet50')));
      t.diagnostic(`resnet50 ${dtype} at 64×64: max |p_webgpu - p_wasm| = ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-3);
    }
  });

  it("the paper's original bottleneck (resnet50-v1, stride on the first 1×1, at 64×64): within 1e-3 of wasm", async (t) => {
    const { pack, architecture } = await convertReference('resnet50-v1', 'onnx', 'int8', { preprocess: { resize: 64, crop: 64 } });
    assert.equal(architecture.strideIn1x1, true);
    const diff = await againstWasm(pack, modelInput(reference('resnet50-v1')));
    t.diagnostic(`resnet50-v1 at 64×64: max |p_webgpu - p_wasm| = ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-3);
  });

  it('weights are uploaded once: no GPU byte growth over 20 calls; dispose() gives the GPU memory back', async () => {
    const clf = await load({ model: packs.cifar20, gpu, softwareGpu: true });
    const image = modelInput(reference('cifar20'));
    await clf.classify(image);
    const warm = liveBytes();
    for (let i = 0; i < 20; i++) await clf.classify(image);
    assert.equal(liveBytes(), warm);
    clf.dispose();
    assert.ok(liveBytes() < warm - 1e5, `${liveBytes()} bytes left of ${warm}`);
    const again = await load({ model: packs.cifar20, gpu, softwareGpu: true });
    await again.classify(image);
    again.dispose();
    const after = liveBytes();
    const third = await load({ model: packs.cifar20, gpu, softwareGpu: true });
    third.dispose();
    assert.equal(liveBytes(), after, 'a load and dispose leaves nothing behind');
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
    assert.match(d.backends[1].reason, /^resnet-edge's int8 kernels, (relaxed SIMD|SIMD128[^,]*), \d+ threads?: /);
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
    dev.queue.submit = (b) => { submit(b); if (++submits === 1) dev.destroy(); };
    const all = await Promise.all(Array.from({ length: 5 }, () => clf.logits(image)));
    assert.ok(submits >= 1, 'the device was destroyed after work was submitted');
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
