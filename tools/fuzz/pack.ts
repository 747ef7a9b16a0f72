/** Fuzz cases for the pack reader: raw byte mutations, manifest edits with a valid digest, re-hashed payload edits. */
import { createHash } from 'node:crypto';
import { PACK_MAGIC, PACK_VERSION, payloadOffset } from 'resnet-edge/pack';
import { int, mutate, pick, type Rng } from './mutate.ts';

export interface PackParts { manifest: Record<string, any>; payload: Uint8Array }

export function splitPack(file: Uint8Array): PackParts {
  const m = new DataView(file.buffer, file.byteOffset).getUint32(12, true);
  const manifest = JSON.parse(new TextDecoder().decode(file.subarray(16, 16 + m)));
  return { manifest, payload: file.subarray(payloadOffset(m)) };
}

/** A pack file from a manifest (as JSON text or object) and a payload; `rehash` writes the payload's real sha256. */
export function joinPack(manifest: Record<string, any> | string, payload: Uint8Array, rehash = true): Uint8Array {
  const obj = typeof manifest === 'string' ? undefined : manifest;
  if (obj && rehash && obj.payload && typeof obj.payload === 'object') obj.payload.sha256 = createHash('sha256').update(payload).digest('hex');
  const json = new TextEncoder().encode(typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  const start = payloadOffset(json.length), out = new Uint8Array(start + payload.length);
  out.set(new TextEncoder().encode(PACK_MAGIC));
  new DataView(out.buffer).setUint32(8, PACK_VERSION, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(payload, start);
  return out;
}

const ODD_VALUES = [-1, 0, 1, 3, 2 ** 31, 2 ** 32 + 16, 2 ** 53, 1e308, -1e308, 0.5, NaN, null, true, 'x', '', [], {}, [1, 2], { bytes: 4 }, '__proto__'];

/** Every (path, container) of a JSON value, for picking a random leaf or node to edit. */
function nodes(v: any, path: (string | number)[] = [], out: { parent: any; key: string | number }[] = []) {
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push({ parent: v, key: Array.isArray(v) ? Number(k) : k });
      if (out.length < 20000) nodes(v[k], [...path, k], out);
    }
  }
  return out;
}

/** Edits one to three places of the manifest: odd values, removed keys, swapped tensors, a huge payload size. */
function editManifest(r: Rng, m: Record<string, any>): string {
  for (let i = int(r, 1, 3); i > 0; i--) {
    const all = nodes(m);
    if (!all.length) break;
    const { parent, key } = pick(r, all);
    const choice = r();
    try {
      if (choice < 0.5) parent[key] = pick(r, ODD_VALUES);
      else if (choice < 0.65) { if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key]; }
      else if (choice < 0.75 && typeof parent[key] === 'number') parent[key] += pick(r, [-16, -1, 1, 16, 4096]);
      else if (choice < 0.85 && Array.isArray(m.tensors) && m.tensors.length > 1) { const a = int(r, 0, m.tensors.length - 1), b = int(r, 0, m.tensors.length - 1); [m.tensors[a], m.tensors[b]] = [m.tensors[b], m.tensors[a]]; }
      else if (choice < 0.92) m.payload.bytes = pick(r, [2 ** 30, 2 ** 30 + 1, 2 ** 40, m.payload.bytes * 2]);
      else m.architecture.stages[0] = { blocks: pick(r, [1000, 0, 1e9]), width: pick(r, [4096, 1, 1e9]), stride: 1 };
    } catch { /* an earlier edit removed what this one edits */ }
  }
  const text = JSON.stringify(m);
  return r() < 0.1 ? text.slice(0, int(r, 0, text.length)) : text;
}

export type Case = { bytes: Uint8Array; how: string };

/** One fuzz case from the seed packs. */
export function packCase(r: Rng, seeds: Uint8Array[]): Case {
  const seed = pick(r, seeds), other = pick(r, seeds);
  const kind = r();
  if (kind < 0.35) { const m = mutate(r, seed, other); return { bytes: m.bytes, how: `bytes:${m.how}` }; }
  const { manifest, payload } = splitPack(seed);
  if (kind < 0.7) {
    const rehash = r() < 0.8;
    const text = editManifest(r, manifest);
    let obj: any;
    try { obj = JSON.parse(text); } catch { return { bytes: joinPack(text, payload), how: 'manifest:cut' }; }
    return { bytes: joinPack(obj ?? text, payload, rehash), how: `manifest${rehash ? '+rehash' : ''}` };
  }
  if (kind < 0.9) {
    // The payload changed and re-hashed: the reader must still refuse what is not finite, and what loads must answer.
    const edited = mutate(r, payload, other).bytes;
    const body = edited.length === payload.length ? edited : payload.map((v, i) => (r() < 0.001 ? int(r, 0, 255) : v));
    if (r() < 0.3) { const f = new Float32Array(body.buffer, body.byteOffset, body.length >> 2); f[int(r, 0, f.length - 1)] = pick(r, [NaN, Infinity, -Infinity, -1, 1e38]); }
    return { bytes: joinPack(manifest, body), how: 'payload+rehash' };
  }
  // Header: magic, version, manifest length.
  const out = seed.slice(), view = new DataView(out.buffer);
  const field = int(r, 0, 2);
  if (field === 0) out[int(r, 0, 7)] ^= 1 << int(r, 0, 7);
  else view.setUint32(field === 1 ? 8 : 12, pick(r, [0, 2, 0xffffffff, 16 * 1024 * 1024 + 1, view.getUint32(12, true) + pick(r, [-1, 1, 100])]), true);
  return { bytes: out, how: `header:${['magic', 'version', 'manifestBytes'][field]}` };
}
