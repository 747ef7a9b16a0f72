import type { ByteRange, TensorEntry } from './format.js';

/** A layer's weights in fp32, PyTorch layout ([out, in, kh, kw] or [out, in]), and its fp32 bias. */
export interface LayerWeights { shape: number[]; weight: Float32Array; bias: Float32Array }

function f32(payload: Uint8Array, r: ByteRange): Float32Array {
  // Copy: the payload may sit at any byte offset of its buffer, and the copy is owned by the caller.
  const out = new Float32Array(r.bytes / 4);
  new Uint8Array(out.buffer).set(payload.subarray(r.offset, r.offset + r.bytes));
  return out;
}

/** IEEE 754 half -> float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Dequantizes (int8: w = q × scale[out]) or widens (float16) one layer of a validated pack. */
export function layerWeights(payload: Uint8Array, t: TensorEntry): LayerWeights {
  const bias = f32(payload, t.bias);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const { offset } = t.weight;
  let weight: Float32Array;
  if (t.dtype === 'float32') {
    weight = f32(payload, t.weight);
  } else if (t.dtype === 'float16') {
    weight = new Float32Array(count);
    const view = new DataView(payload.buffer, payload.byteOffset + offset, count * 2);
    for (let i = 0; i < count; i++) weight[i] = halfToFloat(view.getUint16(i * 2, true));
  } else {
    const scale = f32(payload, t.scale!);
    const q = new Int8Array(payload.buffer, payload.byteOffset + offset, count);
    const per = count / t.shape[0];
    weight = new Float32Array(count);
    for (let o = 0; o < t.shape[0]; o++) {
      const s = scale[o];
      for (let i = o * per, end = i + per; i < end; i++) weight[i] = q[i] * s;
    }
  }
  return { shape: t.shape, weight, bias };
}
