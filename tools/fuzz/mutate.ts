/** Seeded byte mutations for the fuzzers: truncations, flips, overwrites with boundary values, inserted, deleted, repeated and spliced ranges. */

export type Rng = () => number;

/** mulberry32: a small seeded generator, so that every failing case can be replayed from (seed, case number). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];

/** Byte values that sit on boundaries: lengths, signs, varint continuation bits. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x10, 0x08];

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

/** A position biased toward the start, where headers, lengths and manifests live. */
const position = (r: Rng, length: number): number => (r() < 0.6 ? Math.floor(r() ** 3 * length) : Math.floor(r() * length));

export const MUTATIONS: Record<string, (r: Rng, b: Uint8Array, other: Uint8Array) => Uint8Array> = {
  truncate: (r, b) => b.slice(0, position(r, b.length)),
  flipBits: (r, b) => { const o = b.slice(); for (let i = int(r, 1, 8); i > 0; i--) o[position(r, o.length)] ^= 1 << int(r, 0, 7); return o; },
  interestingBytes: (r, b) => { const o = b.slice(); for (let i = int(r, 1, 4); i > 0; i--) o[position(r, o.length)] = pick(r, INTERESTING); return o; },
  /** A 5-byte varint or 8-byte integer of huge value written over whatever was there (declared sizes). */
  hugeNumber: (r, b) => {
    const o = b.slice(), at = position(r, o.length);
    const huge = pick(r, [[0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xff, 0xff, 0xff, 0x7f]]);
    o.set(huge.slice(0, Math.max(0, o.length - at)), at);
    return o;
  },
  randomBytes: (r, b) => { const o = b.slice(), at = position(r, o.length); for (let i = at, end = Math.min(o.length, at + int(r, 1, 64)); i < end; i++) o[i] = int(r, 0, 255); return o; },
  insert: (r, b) => { const at = position(r, b.length); return concat(b.subarray(0, at), Uint8Array.from({ length: int(r, 1, 32) }, () => int(r, 0, 255)), b.subarray(at)); },
  remove: (r, b) => { const at = position(r, b.length); return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + int(r, 1, 256)))); },
  repeat: (r, b) => { const at = position(r, b.length), len = int(r, 1, 512); return concat(b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)); },
  splice: (r, b, other) => { const at = position(r, b.length), from = position(r, other.length); return concat(b.subarray(0, at), other.subarray(from, from + int(r, 1, 4096)), b.subarray(at)); },
  empty: () => new Uint8Array(0),
};

/** One to three random mutations of `b` (`other` is spliced from). */
export function mutate(r: Rng, b: Uint8Array, other: Uint8Array): { bytes: Uint8Array; how: string } {
  const names = Object.keys(MUTATIONS).filter((n) => n !== 'empty' || r() < 0.02);
  let bytes = b;
  const how: string[] = [];
  for (let i = int(r, 1, 3); i > 0; i--) {
    const name = pick(r, names);
    bytes = MUTATIONS[name](r, bytes, other);
    how.push(name);
  }
  return { bytes, how: how.join('+') };
}
