/**
 * A kNN classifier's examples as a small file of its own, read as data and validated like a pack:
 *
 *   bytes 0-7    "RE-KNN\0\0"
 *   bytes 8-11   format version (uint32 LE), 1
 *   bytes 12-15  header length H (uint32 LE), at most 1 MiB
 *   16 … 16+H    JSON header: { format: 'resnet-edge-knn', version, k, dims, count, labels, model: { name, sha256 } }
 *   then, from the next multiple of 4: count label indices (uint32 LE), count × dims embeddings (float32 LE)
 *
 * The file must end there; the examples belong to the model whose payload sha256 the header names.
 */
import { PackError } from '../errors.js';

export const KNN_MAGIC = 'RE-KNN\0\0';
export const KNN_VERSION = 1;
const MAX_HEADER = 1 << 20, MAX_LABELS = 10_000, MAX_LABEL_CHARS = 200;

export interface KnnFile {
  k: number;
  /** Values per embedding: the model's pooled features. */
  dims: number;
  model: { name: string; sha256: string };
  labels: string[];
  examples: { label: string; embedding: Float32Array }[];
}

const invalid = (why: string) => new PackError('PACK_INVALID', `Invalid kNN file: ${why}. Save it again with knn.save().`);
const align4 = (n: number) => Math.ceil(n / 4) * 4;

export function writeKnn(f: KnnFile): Uint8Array {
  const { dims } = f, count = f.examples.length;
  const header = new TextEncoder().encode(JSON.stringify({
    format: 'resnet-edge-knn', version: KNN_VERSION, k: f.k, dims, count, labels: f.labels, model: f.model,
  }));
  const start = align4(16 + header.length);
  const out = new Uint8Array(start + count * 4 * (1 + dims));
  out.set(new TextEncoder().encode(KNN_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, KNN_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  f.examples.forEach((e, i) => {
    view.setUint32(start + 4 * i, f.labels.indexOf(e.label), true);
    e.embedding.forEach((v, j) => view.setFloat32(start + 4 * count + 4 * (i * dims + j), v, true));
  });
  return out;
}

interface Header { format: unknown; version: unknown; k: unknown; dims: unknown; count: unknown; labels: unknown; model: { name?: unknown; sha256?: unknown } | null }

function parseHeader(bytes: Uint8Array): Header {
  if (bytes.length < 16) throw new PackError('PACK_TRUNCATED', `kNN file is truncated: ${bytes.length} bytes, the header alone needs 16.`);
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 8)) !== KNN_MAGIC) throw invalid('it does not start with "RE-KNN"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true), length = view.getUint32(12, true);
  if (version !== KNN_VERSION) throw new PackError('PACK_UNSUPPORTED', `kNN file version ${version}; this resnet-edge reads version ${KNN_VERSION}. Update resnet-edge.`);
  if (length > MAX_HEADER) throw invalid(`its header claims ${length} bytes (at most ${MAX_HEADER})`);
  if (bytes.length < 16 + length) throw new PackError('PACK_TRUNCATED', `kNN file is truncated inside its header (${bytes.length} of ${16 + length} bytes).`);
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + length)));
  } catch (e) {
    throw invalid(`its header is not JSON (${(e as Error).message})`);
  }
  if (!h || typeof h !== 'object' || Array.isArray(h)) throw invalid('its header is not a JSON object');
  return h as Header;
}

const wholeIn = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Reads a kNN file made for a model with embeddings of `dims` floats; every field and value is checked. */
export function readKnn(bytes: Uint8Array, dims: number): KnnFile {
  const h = parseHeader(bytes);
  if (h.format !== 'resnet-edge-knn') throw invalid(`format is ${JSON.stringify(h.format)}`);
  if (!wholeIn(h.k, 1, 1000)) throw invalid(`k must be an integer from 1 to 1000, got ${JSON.stringify(h.k)}`);
  if (h.dims !== dims) throw invalid(`its embeddings have ${JSON.stringify(h.dims)} values, this model's have ${dims}`);
  if (!wholeIn(h.count, 0, 1e7)) throw invalid(`count must be an integer from 0 to 10,000,000, got ${JSON.stringify(h.count)}`);
  const labels = h.labels;
  if (!Array.isArray(labels) || labels.length > MAX_LABELS
    || !labels.every((l) => typeof l === 'string' && l.length > 0 && l.length <= MAX_LABEL_CHARS) || new Set(labels).size !== labels.length) {
    throw invalid(`labels must be up to ${MAX_LABELS} distinct non-empty strings of at most ${MAX_LABEL_CHARS} characters`);
  }
  const model = h.model;
  if (!model || typeof model.name !== 'string' || typeof model.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(model.sha256)) {
    throw invalid('model must be { name, sha256 } of the pack it was taught on');
  }
  const count = h.count, start = align4(16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true));
  const end = start + count * 4 * (1 + dims);
  if (bytes.length < end) throw new PackError('PACK_TRUNCATED', `kNN file is truncated: ${bytes.length} of ${end} bytes.`);
  if (bytes.length > end) throw invalid(`${bytes.length - end} bytes follow its examples`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const examples = Array.from({ length: count }, (_, i) => {
    const index = view.getUint32(start + 4 * i, true);
    if (index >= labels.length) throw invalid(`example ${i} has label index ${index}, but there are ${labels.length} labels`);
    const embedding = new Float32Array(dims);
    for (let j = 0; j < dims; j++) {
      const v = view.getFloat32(start + 4 * count + 4 * (i * dims + j), true);
      if (!Number.isFinite(v)) throw invalid(`example ${i} has a non-finite value`);
      embedding[j] = v;
    }
    return { label: labels[index] as string, embedding };
  });
  return { k: h.k, dims, model: { name: model.name, sha256: model.sha256 }, labels: labels as string[], examples };
}
