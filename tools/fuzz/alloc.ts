/**
 * The largest buffer a piece of code allocates: while `measure` runs, every typed-array constructor (and
 * ArrayBuffer) is a subclass that notes the bytes it is asked for (a length, or an array-like to copy), including
 * the copies that slice(), map() and from() make. `instanceof` still answers as for the originals.
 */
const NAMES = ['ArrayBuffer', 'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array',
  'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'] as const;

const originals = Object.fromEntries(NAMES.map((n) => [n, (globalThis as any)[n]]));
let largest = 0;

const tracked = Object.fromEntries(NAMES.map((name) => {
  const Orig = originals[name], per: number = Orig.BYTES_PER_ELEMENT ?? 1;
  const T = class extends Orig {
    constructor(...args: any[]) {
      const a = args[0];
      if (typeof a === 'number') largest = Math.max(largest, a * per);
      else if (a && typeof a === 'object' && !(a instanceof originals.ArrayBuffer) && !(a instanceof SharedArrayBuffer) && typeof a.length === 'number') largest = Math.max(largest, a.length * per);
      super(...args);
    }
    static [Symbol.hasInstance](v: unknown) { return v instanceof Orig; }
  };
  Object.defineProperty(T, 'name', { value: name });
  return [name, T];
}));

/** Runs `fn` with allocation tracking on; returns its outcome and the largest single allocation in bytes. */
export async function measure<T>(fn: () => Promise<T> | T): Promise<{ value?: T; error?: unknown; largest: number }> {
  largest = 0;
  for (const n of NAMES) (globalThis as any)[n] = tracked[n];
  try {
    return { value: await fn(), largest };
  } catch (error) {
    return { error, largest };
  } finally {
    for (const n of NAMES) (globalThis as any)[n] = originals[n];
  }
}
