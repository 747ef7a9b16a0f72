/** Fuzz cases for kNN files (sdk/src/custom/knn-file.ts): byte mutations, header edits, and hostile generated files. */
import { int, mutate, pick, type Rng } from './mutate.ts';
import type { Case } from './pack.ts';

const ODD = [-1, 0, 1, 2.5, 2 ** 31, 2 ** 53, 1e308, NaN, null, 'x', [], {}, true, '0'];

function split(b: Uint8Array): { header: Record<string, any>; body: Uint8Array } {
  const n = new DataView(b.buffer, b.byteOffset).getUint32(12, true);
  return { header: JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + n))), body: b.subarray(Math.ceil((16 + n) / 4) * 4) };
}

function join(header: Record<string, any> | string, body: Uint8Array, version = 1, declared?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const start = Math.ceil((16 + json.length) / 4) * 4;
  const out = new Uint8Array(start + body.length);
  out.set(new TextEncoder().encode('RE-KNN\0\0'), 0);
  new DataView(out.buffer).setUint32(8, version, true);
  new DataView(out.buffer).setUint32(12, declared ?? json.length, true);
  out.set(json, 16);
  out.set(body, start);
  return out;
}

function editHeader(r: Rng, h: Record<string, any>): void {
  for (let e = int(r, 1, 3); e > 0; e--) {
    const edit = int(r, 0, 7);
    if (edit === 0) h.k = pick(r, ODD);
    else if (edit === 1) h.dims = pick(r, [...ODD, h.dims + 1, h.dims - 1]);
    else if (edit === 2) h.count = pick(r, [...ODD, h.count + 1, h.count - 1, 1e7, 1e7 + 1]);
    else if (edit === 3) h.labels = pick(r, [[], ['a', 'a'], [''], ['x'.repeat(201)], [1, 2], null, 'labels', Array.from({ length: 10_001 }, (_, i) => `l${i}`), h.labels?.slice?.(1)]);
    else if (edit === 4) h.model = pick(r, [null, {}, { name: 'm', sha256: 'zz' }, { name: 1, sha256: h.model?.sha256 }, { ...h.model, sha256: '0'.repeat(64) }]);
    else if (edit === 5) h.format = pick(r, ['resnet-edge-pack', '', null]);
    else if (edit === 6) delete h[pick(r, Object.keys(h))];
    else h[pick(r, ['__proto__', 'constructor', 'extra'])] = pick(r, ODD);
  }
}

const GENERATED: Record<string, (r: Rng, seed: Uint8Array) => Uint8Array> = {
  hugeDeclaredHeader: (r) => join('{}', new Uint8Array(int(r, 0, 16)), 1, pick(r, [2 ** 32 - 1, 2 ** 20 + 1, 1e6])),
  otherVersion: (r, seed) => join(split(seed).header, split(seed).body, pick(r, [0, 2, 2 ** 32 - 1])),
  deepJson: (r) => { const d = int(r, 1000, 100000); return join('['.repeat(d) + ']'.repeat(d), new Uint8Array(0)); },
  labelIndexPastEnd: (r, seed) => {
    const { header, body } = split(seed), copy = body.slice();
    if (header.count > 0) new DataView(copy.buffer).setUint32(4 * int(r, 0, header.count - 1), pick(r, [header.labels.length, 2 ** 32 - 1]), true);
    return join(header, copy);
  },
  nonFinite: (r, seed) => {
    const { header, body } = split(seed), copy = body.slice();
    if (header.count > 0) new DataView(copy.buffer).setFloat32(4 * header.count + 4 * int(r, 0, header.count * header.dims - 1), pick(r, [NaN, Infinity, -Infinity]), true);
    return join(header, copy);
  },
};

export function knnCase(r: Rng, seeds: Uint8Array[]): Case {
  const seed = pick(r, seeds), kind = r();
  if (kind < 0.35) { const m = mutate(r, seed, pick(r, seeds)); return { bytes: m.bytes, how: `bytes:${m.how}` }; }
  if (kind < 0.85) {
    const { header, body } = split(seed);
    editHeader(r, header);
    const cut = r() < 0.15 ? body.subarray(0, int(r, 0, body.length)) : body;
    const text = JSON.stringify(header);
    return { bytes: join(r() < 0.05 ? text.slice(0, -1) : text, cut), how: 'header' };
  }
  const name = pick(r, Object.keys(GENERATED));
  return { bytes: GENERATED[name](r, seed), how: `generated:${name}` };
}
