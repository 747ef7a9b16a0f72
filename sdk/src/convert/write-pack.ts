/** Writes a pack (see resnet-edge/pack's format.ts for the layout). */
import {
  HEADER_BYTES, PACK_MAGIC, PACK_VERSION, align, payloadOffset, sha256Hex, validateManifest,
  type ByteRange, type PackManifest, type TensorEntry,
} from '../pack.js';
import type { EncodedLayer } from './quantize.js';

export type ManifestDraft = Omit<PackManifest, 'format' | 'version' | 'tensors' | 'payload'>;

export async function writePack(draft: ManifestDraft, encoded: EncodedLayer[]): Promise<Uint8Array> {
  const parts: { at: number; bytes: Uint8Array }[] = [];
  let size = 0;
  const place = (bytes: Uint8Array): ByteRange => {
    const offset = align(size);
    parts.push({ at: offset, bytes });
    size = offset + bytes.length;
    return { offset, bytes: bytes.length };
  };
  const f32 = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const tensors: TensorEntry[] = encoded.map((e) => {
    const t: TensorEntry = { name: e.layer.name, shape: e.layer.shape, dtype: draft.dtype, weight: place(e.bytes), bias: { offset: 0, bytes: 0 } };
    if (e.scales) t.scale = place(f32(e.scales));
    t.bias = place(f32(e.layer.bias));
    return t;
  });
  const payload = new Uint8Array(align(size));
  for (const p of parts) payload.set(p.bytes, p.at);
  const manifest: PackManifest = {
    format: 'resnet-edge-pack', version: PACK_VERSION, ...draft, tensors,
    payload: { bytes: payload.length, sha256: await sha256Hex(payload) },
  };
  validateManifest(manifest);
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const start = payloadOffset(json.length);
  const file = new Uint8Array(start + payload.length);
  file.set(new TextEncoder().encode(PACK_MAGIC), 0);
  const view = new DataView(file.buffer);
  view.setUint32(8, PACK_VERSION, true);
  view.setUint32(12, json.length, true);
  file.set(json, HEADER_BYTES);
  file.set(payload, start);
  return file;
}
