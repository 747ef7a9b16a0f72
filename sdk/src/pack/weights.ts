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

const bits = new DataView(new ArrayBuffer(4));

/** float -> IEEE half, round to nearest even (the converter's float16 packs, the WebGPU engine's float16 weights). */export function floatToHalf(v: number): number {
  bits.setFloat32(0, v, true);
  const u = bits.getUint32(0, true);
  const sign = (u >>> 16) & 0x8000, exp = (u >>> 23) & 0xff, mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000, shift = 14 - e;
    const half = 1 << (shift - 1), rest = m & ((1 << shift) - 1);
    let r = m >> shift;
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++;
  return sign | r;
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
