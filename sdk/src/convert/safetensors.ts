/** safetensors reader: 8-byte header length, JSON header, raw little-endian tensors. Nothing is executed. */
import { ModelFormatError } from '../errors.js';
import { decodeElements, ELEMENT_BYTES, type ElementType } from './dtypes.js';
import { numel, type Tensor } from './tensor.js';

const bad = (what: string): ModelFormatError => new ModelFormatError('MODEL_FORMAT', `Not a readable safetensors file: ${what}.`);

/** ResNet-152's header is 94 KB; 4 MiB leaves room for metadata and refuses multi-megabyte headers before parsing them. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;
const MAX_TENSORS = 20_000;

/** Parses a safetensors file into named float32 tensors (integer tensors are widened, e.g. num_batches_tracked). */
export function readSafetensors(bytes: Uint8Array): Map<string, Tensor> {
  if (bytes.length < 8) throw bad(`only ${bytes.length} bytes`);
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen < 2 || 8 + headerLen > bytes.length) throw bad(`the header declares ${headerLen} bytes but the file has ${bytes.length}`);
  if (headerLen > MAX_HEADER_BYTES) throw bad(`the header is ${headerLen} bytes, more than any ResNet state dict needs (${MAX_HEADER_BYTES / 2 ** 20} MiB at most)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
  const data = bytes.subarray(8 + headerLen);
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__');
  if (entries.length > MAX_TENSORS) throw bad(`the header lists ${entries.length} tensors, more than any ResNet state dict (ResNet-152 has about 1,000)`);
  const ranges: { name: string; dtype: string; shape: number[]; begin: number; end: number; count: number }[] = [];
  for (const [name, h] of entries) {
    const size = typeof h?.dtype === 'string' && Object.hasOwn(ELEMENT_BYTES, h.dtype) ? ELEMENT_BYTES[h.dtype as ElementType] : 0;
    if (!size) throw bad(`tensor "${name}" has unsupported dtype ${JSON.stringify(h?.dtype)}`);
    if (!Array.isArray(h.shape) || h.shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`tensor "${name}" has an invalid shape`);
    const [begin, end]: number[] = Array.isArray(h.data_offsets) ? h.data_offsets : [NaN, NaN];
    const count = numel(h.shape);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > data.length || end - begin !== count * size) {
      throw bad(`tensor "${name}" (${h.dtype} [${h.shape}]) has data offsets [${begin}, ${end}] inconsistent with its shape or the file size (${data.length} data bytes)`);
    }
    ranges.push({ name, dtype: h.dtype, shape: h.shape, begin, end, count });
  }
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) throw bad(`tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap in the data`);
  }
  // Decoded only once every entry is known to be sound.
  return new Map(ranges.map((r) => [r.name, { shape: r.shape, data: decodeElements(r.dtype as ElementType, data.subarray(r.begin, r.end), r.count) }]));
}
