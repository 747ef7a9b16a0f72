/**
 * After the digest, before any weight is used: every float in the payload (float32/float16 weights, biases, int8
 * scales) must be finite, and int8 scales non-negative. A pack made from a broken model (NaN weights) would
 * otherwise load and answer NaN probabilities.
 */
import { PackError } from '../errors.js';
import type { ByteRange, PackManifest } from './format.js';

const broken = (what: string): PackError =>
  new PackError('PACK_INVALID', `Pack ${what}. The model it was converted from is broken; fix or re-train it, then convert again.`);

function checkFloat32(payload: Uint8Array, r: ByteRange, what: string, nonNegative = false): void {
  const view = new DataView(payload.buffer, payload.byteOffset + r.offset, r.bytes);
  for (let i = 0; i < r.bytes; i += 4) {
    const v = view.getFloat32(i, true);
    if (!Number.isFinite(v)) throw broken(`${what} holds ${v} at element ${i / 4}`);
    if (nonNegative && v < 0) throw broken(`${what} holds a negative scale (${v}) at element ${i / 4}`);
  }
}

function checkFloat16(payload: Uint8Array, r: ByteRange, what: string): void {
  const view = new DataView(payload.buffer, payload.byteOffset + r.offset, r.bytes);
  for (let i = 0; i < r.bytes; i += 2) {
    if ((view.getUint16(i, true) & 0x7c00) === 0x7c00) throw broken(`${what} holds NaN or Infinity at element ${i / 2}`);
  }
}

export function checkPayloadValues(manifest: PackManifest, payload: Uint8Array): void {
  for (const t of manifest.tensors) {
    checkFloat32(payload, t.bias, `tensor ${t.name}'s bias`);
    if (t.dtype === 'float32') checkFloat32(payload, t.weight, `tensor ${t.name}'s weight`);
    else if (t.dtype === 'float16') checkFloat16(payload, t.weight, `tensor ${t.name}'s weight`);
    else checkFloat32(payload, t.scale!, `tensor ${t.name}'s scale`, true);
  }
}
