/**
 * The plan (plan.ts) computed with plain loops in float64: slow, obviously right, and independent of every engine.
 * It checks a WebGPU adapter before 'auto' trusts it (webgpu/probe.ts), on a network small enough to take
 * milliseconds.
 */
import type { Pack } from '../pack/read.js';
import { layerWeights, type LayerWeights } from '../pack/weights.js';
import type { ConvStep, MaxPoolStep, Plan, Slot } from './plan.js';

type Slots = Partial<Record<Slot, Float64Array>>;

function conv(s: ConvStep, L: LayerWeights, slots: Slots): Float64Array {
  const X = slots[s.src]!, { h, w, c } = s.in, o = s.out, Y = new Float64Array(o.h * o.w * o.c), r = s.residual;
  for (let oy = 0; oy < o.h; oy++) {
    for (let ox = 0; ox < o.w; ox++) {
      for (let co = 0; co < o.c; co++) {
        let v = L.bias[co];
        for (let ky = 0; ky < s.k; ky++) {
          for (let kx = 0; kx < s.k; kx++) {
            const iy = oy * s.stride + ky - s.pad, ix = ox * s.stride + kx - s.pad;
            if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
            for (let ci = 0; ci < c; ci++) v += X[(iy * w + ix) * c + ci] * L.weight[((co * c + ci) * s.k + ky) * s.k + kx];
          }
        }
        const rc = r ? co - r.channelOffset : -1;
        if (r && rc >= 0 && rc < r.shape.c) v += slots[r.slot]![((oy * r.stride) * r.shape.w + ox * r.stride) * r.shape.c + rc];
        Y[(oy * o.w + ox) * o.c + co] = s.relu ? Math.max(0, v) : v;
      }
    }
  }
  return Y;
}

function maxPool(s: MaxPoolStep, X: Float64Array): Float64Array {
  const { h, w, c } = s.in, o = s.out, Y = new Float64Array(o.h * o.w * c);
  for (let oy = 0; oy < o.h; oy++) {
    for (let ox = 0; ox < o.w; ox++) {
      for (let ch = 0; ch < c; ch++) {
        let v = -Infinity;
        for (let dy = 0; dy < 3; dy++) {
          for (let dx = 0; dx < 3; dx++) {
            const iy = oy * 2 + dy - 1, ix = ox * 2 + dx - 1;
            if (iy >= 0 && ix >= 0 && iy < h && ix < w) v = Math.max(v, X[(iy * w + ix) * c + ch]);
          }
        }
        Y[(oy * o.w + ox) * c + ch] = v;
      }
    }
  }
  return Y;
}

/** Logits of one NHWC image through the plan, with the pack's weights. */
export function referenceLogits(plan: Plan, pack: Pack, image: Float32Array): Float64Array {
  const layers = new Map(pack.manifest.tensors.map((t) => [t.name, layerWeights(pack.payload, t)]));
  const slots: Slots = { input: Float64Array.from(image) };
  for (const s of plan.steps) slots[s.dst] = s.kind === 'conv' ? conv(s, layers.get(s.layer)!, slots) : maxPool(s, slots[s.src]!);
  const { slot, shape } = plan.last, X = slots[slot]!, hw = shape.h * shape.w;
  const pooled = new Float64Array(shape.c);
  for (let i = 0; i < hw; i++) for (let ch = 0; ch < shape.c; ch++) pooled[ch] += X[i * shape.c + ch] / hw;
  const fc = layers.get('fc')!, logits = new Float64Array(plan.classes);
  for (let k = 0; k < plan.classes; k++) {
    let v = fc.bias[k];
    for (let ch = 0; ch < shape.c; ch++) v += pooled[ch] * fc.weight[k * shape.c + ch];
    logits[k] = v;
  }
  return logits;
}
