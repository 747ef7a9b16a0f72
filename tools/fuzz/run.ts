/** The fuzz loop: seeded cases, each run through a target; every outcome that is not a typed error or a correct answer is a failure. */
import { ResnetEdgeError } from 'resnet-edge';
import { measure } from './alloc.ts';
import { rng, type Rng } from './mutate.ts';
import type { Case } from './pack.ts';

export interface Target {
  name: string;
  seeds: Uint8Array[];
  makeCase(r: Rng, seeds: Uint8Array[]): Case;
  /** The reader phase (timed, allocations measured); returns something for `after`. */
  read(bytes: Uint8Array, r: Rng): Promise<unknown>;
  /** Optional: what else must hold when the file was accepted (throws a plain Error when it does not). */
  after?(value: unknown, bytes: Uint8Array, r: Rng): Promise<void>;
}

export interface FuzzReport {
  target: string; cases: number; accepted: number; errors: Record<string, number>; failures: string[];
  slowest: { ms: number; how: string }; largestAllocation: { ratio: number; bytes: number; fileBytes: number; how: string }; seconds: number;
}

/** Allocations above this many bytes are failures: 8× the file (a varint of 1 byte can become a float of 4; int8 -> float32 is 4×) plus 1 MiB. */
export const plausibleBytes = (fileBytes: number) => 8 * fileBytes + (1 << 20);

export async function fuzz(t: Target, cases: number, seed: number, maxMs = 1000): Promise<FuzzReport> {
  const rep: FuzzReport = { target: t.name, cases, accepted: 0, errors: {}, failures: [], slowest: { ms: 0, how: '' }, largestAllocation: { ratio: 0, bytes: 0, fileBytes: 0, how: '' }, seconds: 0 };
  const t0 = performance.now();
  for (let i = 0; i < cases; i++) {
    const r = rng((seed * 1_000_003 + i) >>> 0);
    const c = t.makeCase(r, t.seeds), label = `${t.name} seed ${seed} case ${i} (${c.how}, ${c.bytes.length} bytes)`;
    const start = performance.now();
    const m = await measure(() => t.read(c.bytes, r));
    const ms = performance.now() - start;
    if (ms > rep.slowest.ms) rep.slowest = { ms, how: label };
    const ratio = m.largest / Math.max(1, c.bytes.length);
    if (m.largest > rep.largestAllocation.bytes) rep.largestAllocation = { ratio, bytes: m.largest, fileBytes: c.bytes.length, how: label };
    if (ms > maxMs) rep.failures.push(`${label}: took ${ms.toFixed(0)} ms`);
    if (m.largest > plausibleBytes(c.bytes.length)) rep.failures.push(`${label}: allocated ${m.largest} bytes at once for a ${c.bytes.length}-byte file`);
    if (m.error !== undefined) {
      if (m.error instanceof ResnetEdgeError) rep.errors[m.error.code] = (rep.errors[m.error.code] ?? 0) + 1;
      else rep.failures.push(`${label}: untyped ${(m.error as Error)?.name}: ${(m.error as Error)?.message}`);
      continue;
    }
    rep.accepted++;
    try {
      await t.after?.(m.value, c.bytes, r);
    } catch (e) {
      rep.failures.push(`${label}: accepted, then ${(e as Error).message}`);
    }
  }
  rep.seconds = (performance.now() - t0) / 1000;
  return rep;
}
