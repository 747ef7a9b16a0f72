/**
 * Before 'auto' trusts an adapter: a tiny deterministic ResNet (RGB stem, max-pool, identity and projection
 * shortcuts, a split-K convolution, the classifier) run by the WebGPU engine on two images, against the plain-loop
 * reference (net/cpu-reference.ts).
 */
import type { Architecture, PackManifest, TensorEntry } from '../pack/format.js';
import type { Pack } from '../pack/read.js';
import { expectedLayers } from '../pack/layout.js';
import { buildPlan } from '../net/plan.js';
import { referenceLogits } from '../net/cpu-reference.js';
import { WebgpuResNet } from './engine.js';

/** Agreement required between the engine and the reference (largest difference over the largest logit, at least 1). */
export const PROBE_TOLERANCE = 1e-3;
const CROP = 17;

const PROBE_ARCH: Architecture = {
  stem: { kernel: 3, stride: 1, width: 8, maxPool: true }, block: 'basic',
  stages: [{ blocks: 1, width: 8, stride: 1 }, { blocks: 1, width: 16, stride: 2 }], shortcut: 'B', numClasses: 10, depth: 6,
};

/** Deterministic values in [-1, 1) from a linear congruential sequence. */
function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/** The probe network as a float32 pack, built in memory. */
function probePack(): Pack {
  const parts: Float32Array[] = [];
  let offset = 0;
  const place = (a: Float32Array) => { parts.push(a); const r = { offset, bytes: a.byteLength }; offset += a.byteLength; return r; };
  const tensors: TensorEntry[] = expectedLayers(PROBE_ARCH).map((l, i) => {
    const count = l.shape.reduce((a, b) => a * b, 1), fanIn = count / l.shape[0];
    return { name: l.name, shape: l.shape, dtype: 'float32', weight: place(values(count, 2 * i + 1, 1.5 / Math.sqrt(fanIn))), bias: place(values(l.shape[0], 2 * i + 2, 0.2)) };
  });
  const payload = new Uint8Array(offset);
  parts.reduce((at, p) => { payload.set(new Uint8Array(p.buffer), at); return at + p.byteLength; }, 0);
  const manifest = { architecture: PROBE_ARCH, tensors } as unknown as PackManifest;
  return { manifest, payload, file: payload };
}

/** Largest difference between the engine and the reference, relative to the largest reference logit (at least 1). */
export async function probeDifference(device: GPUDevice, maxBufferBytes: number): Promise<number> {
  const pack = probePack();
  const images = values(2 * CROP * CROP * 3, 99, 2);
  const net = await WebgpuResNet.create(device, pack, CROP, 'f32', { maxBufferBytes });
  try {
    const got = await net.run(images, 2, true);
    const plan = buildPlan(PROBE_ARCH, CROP), per = CROP * CROP * 3;
    let diff = 0, scale = 1;
    for (let i = 0; i < 2; i++) {
      const expected = referenceLogits(plan, pack, images.subarray(i * per, (i + 1) * per));
      expected.forEach((v, k) => {
        const g = got[i * PROBE_ARCH.numClasses + k];
        diff = Number.isFinite(g) ? Math.max(diff, Math.abs(g - v)) : Infinity;
        scale = Math.max(scale, Math.abs(v));
      });
    }
    return diff / scale;
  } finally {
    net.dispose();
  }
}
