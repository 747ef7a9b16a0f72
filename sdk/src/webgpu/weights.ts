/**
 * A pack's layers in the layout the WebGPU convolution reads: [K][N4·4] with K = (ky·kw + kx)·cin + ci (the order in
 * which the implicit GEMM walks an NHWC window) and the output channels padded to a multiple of 4, as float32 or
 * IEEE half; biases float32, padded the same way.
 */
import { floatToHalf, layerWeights } from '../pack/weights.js';
import type { TensorEntry } from '../pack/format.js';
import type { Precision } from './wgsl.js';

export interface GpuLayer { k: number; cin: number; cout: number; n4: number; weights: Uint8Array; bias: Float32Array }

export function gpuLayer(payload: Uint8Array, t: TensorEntry, precision: Precision): GpuLayer {
  const { shape, weight, bias } = layerWeights(payload, t);
  const [cout, cin, kh = 1, kw = 1] = shape;
  const n4 = Math.ceil(cout / 4), np = n4 * 4, K = kh * kw * cin;
  const out = new Float32Array(K * np);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let p = 0; p < kh * kw; p++) out[(p * cin + i) * np + o] = weight[(o * cin + i) * kh * kw + p];
    }
  }
  const padded = new Float32Array(np);
  padded.set(bias);
  let weights = new Uint8Array(out.buffer);
  if (precision === 'f16') {
    const h = new Uint16Array(out.length);
    for (let i = 0; i < out.length; i++) h[i] = floatToHalf(out[i]);
    weights = new Uint8Array(h.buffer);
  }
  return { k: kh, cin, cout, n4, weights, bias: padded };
}
