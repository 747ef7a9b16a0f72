/** Little-endian element types of weight files (safetensors names), read as float32. */
import { halfToFloat } from '../pack.js';

export type ElementType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'U8' | 'I8' | 'BOOL';
export const ELEMENT_BYTES: Record<ElementType, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, U8: 1, I8: 1, BOOL: 1 };

/** A reader of element i of `bytes` as a number (integers widened: num_batches_tracked and the like). */
export function elementReader(dtype: ElementType, bytes: Uint8Array): (i: number) => number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), bits = new DataView(new ArrayBuffer(4));
  switch (dtype) {
    case 'F32': return (i) => v.getFloat32(i * 4, true);
    case 'F16': return (i) => halfToFloat(v.getUint16(i * 2, true));
    case 'BF16': return (i) => { bits.setUint32(0, v.getUint16(i * 2, true) << 16, true); return bits.getFloat32(0, true); };
    case 'F64': return (i) => v.getFloat64(i * 8, true);
    case 'I64': return (i) => Number(v.getBigInt64(i * 8, true));
    case 'I32': return (i) => v.getInt32(i * 4, true);
    case 'I16': return (i) => v.getInt16(i * 2, true);
    case 'I8': return (i) => v.getInt8(i);
    default: return (i) => v.getUint8(i);
  }
}

/** `count` contiguous elements as float32. */
export function decodeElements(dtype: ElementType, bytes: Uint8Array, count: number): Float32Array {
  const read = elementReader(dtype, bytes), out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}
