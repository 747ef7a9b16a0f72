/** Fuzz cases for the safetensors reader: byte mutations, header edits (dtypes, shapes, offsets, lengths) and generated headers. */
import { int, mutate, pick, type Rng } from './mutate.ts';
import type { Case } from './pack.ts';

export function splitSafetensors(b: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))), data: b.subarray(8 + n) };
}

export function joinSafetensors(header: Record<string, any> | string, data: Uint8Array, declared?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const DTYPES = ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'U8', 'I8', 'BOOL', 'F8_E4M3', 'C64', 'f32', '', 'constructor', '__proto__', 'toString'];
const ODD = [-1, 0, 1, 2 ** 31, 2 ** 53, 2 ** 64, 1e308, 0.5, NaN, null, 'x', [], {}, [[1]], true];

function editHeader(r: Rng, h: Record<string, any>): string {
  const names = Object.keys(h).filter((k) => k !== '__metadata__');
  for (let e = int(r, 1, 3); e > 0; e--) {
    const t = h[pick(r, names)];
    const edit = int(r, 0, 6);
    if (!t || typeof t !== 'object') continue;
    if (edit === 0) t.dtype = pick(r, DTYPES);
    else if (edit === 1) { const shape = Array.isArray(t.shape) ? t.shape : []; t.shape = pick(r, [[], [0], [-1, 4], [2 ** 31, 2 ** 31], [1e9, 1e9, 1e9], [...shape, 2], shape.slice(1), [1.5], 'x', null]); }
    else if (edit === 2 && Array.isArray(t.data_offsets)) t.data_offsets[int(r, 0, 1)] = pick(r, ODD);
    else if (edit === 3 && Array.isArray(t.data_offsets)) t.data_offsets = [t.data_offsets[1], t.data_offsets[0]];
    else if (edit === 4) h[pick(r, names)] = pick(r, ODD);
    else if (edit === 5) delete h[pick(r, names)];
    else h[`extra.${int(r, 0, 99)}`] = { ...t };
  }
  return JSON.stringify(h);
}

const GENERATED: Record<string, (r: Rng) => Uint8Array> = {
  manyTensors: (r) => {
    const h: Record<string, any> = {};
    for (let i = int(r, 1000, 100000); i > 0; i--) h[`t${i}`] = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
    return joinSafetensors(h, new Uint8Array(4));
  },
  hugeDeclaredHeader: (r) => joinSafetensors('{}', new Uint8Array(int(r, 0, 16)), pick(r, [2n ** 63n, 2n ** 32n, 100n * 1024n * 1024n + 1n, 3n])),
  deepJson: (r) => { const d = int(r, 1000, 200000); return joinSafetensors('['.repeat(d) + ']'.repeat(d), new Uint8Array(0)); },
  notJson: (r) => joinSafetensors(Array.from({ length: int(r, 2, 200) }, () => String.fromCharCode(int(r, 0, 0xffff))).join(''), new Uint8Array(8)),
};

export function safetensorsCase(r: Rng, seeds: Uint8Array[]): Case {
  const seed = pick(r, seeds), kind = r();
  if (kind < 0.35) { const m = mutate(r, seed, pick(r, seeds)); return { bytes: m.bytes, how: `bytes:${m.how}` }; }
  if (kind < 0.9) {
    const { header, data } = splitSafetensors(seed);
    const text = editHeader(r, header);
    const cutData = r() < 0.15 ? data.subarray(0, int(r, 0, data.length)) : data;
    return { bytes: joinSafetensors(r() < 0.05 ? text.slice(0, -1) : text, cutData), how: 'header' };
  }
  const name = pick(r, Object.keys(GENERATED));
  return { bytes: GENERATED[name](r), how: `generated:${name}` };
}
