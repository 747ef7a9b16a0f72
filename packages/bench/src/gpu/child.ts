/**
 * One runtime on one model in a fresh Node process (so that its cold start and GPU memory are its own): load from the
 * model's bytes to the first logits (timed), check the probabilities against the reference, and only then time warm
 * batches. Prints one line `BENCH-RESULT {json}`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openDawn, type GpuCounters } from './dawn.ts';
import { makeGpuRunner, wasmReference, type GpuRunner, type GpuRunnerName, type ModelPlace } from './runners.ts';

export interface Timing { median: number; p10: number; p90: number; n: number }
export interface ChildResult {
  runner: GpuRunnerName; model: string; detail: string; adapter: string;
  /** Largest |p - p_ref| over the classes; `reference` names what p_ref is. */
  check: { reference: string; maxProbDiff: number; tolerance: number; vsTorch: number };
  coldMs: number; b1: Timing; b10: Timing;
  /** WebGPU API calls and bytes of one batch-1 run. */
  perRun: Omit<GpuCounters, 'liveBytes' | 'peakBytes'>;
  gpuPeakBytes: number;
  profile?: { kernelMs: number; wallMs: number; kernels: Record<string, number> };
  variants?: Record<string, number>;
}

const softmax = (l: ArrayLike<number>) => {
  const a = Array.from(l), m = Math.max(...a), e = a.map((v) => Math.exp(v - m)), s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
};
const maxProbDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const [pa, pb] = [softmax(a), softmax(b)];
  return pa.length === pb.length ? Math.max(...pa.map((v, i) => Math.abs(v - pb[i]))) : Infinity;
};

function stats(times: number[]): Timing {
  const s = [...times].sort((x, y) => x - y), at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p10: at(0.1), p90: at(0.9), n: s.length };
}

async function timed(r: GpuRunner, n: number, rounds: number, warmup: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await r.run(n);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await r.run(n);
    times.push(performance.now() - t);
  }
  return stats(times);
}

export async function runChild(runner: GpuRunnerName, place: ModelPlace, rounds: number): Promise<ChildResult> {
  const dawn = await openDawn();
  const torch = JSON.parse(readFileSync(join(place.dir, `${place.name}.json`), 'utf8')) as { logits: number[] };
  const t0 = performance.now();
  const r = await makeGpuRunner(runner, place, dawn.gpu as never);
  const first = await r.run(1);
  const coldMs = performance.now() - t0;

  const fp16 = runner.endsWith('f16');
  let check: ChildResult['check'];
  if (runner.startsWith('ort')) {
    check = { reference: 'PyTorch fp32', maxProbDiff: maxProbDiff(first, torch.logits), tolerance: fp16 ? 1e-2 : 1e-3, vsTorch: maxProbDiff(first, torch.logits) };
  } else {
    const wasm = await wasmReference(place, fp16 ? 'float16' : 'int8');
    if (runner === 'tfjs-webgpu') await tf.setBackend('webgpu');
    check = { reference: 'wasm fp32 (same pack)', maxProbDiff: maxProbDiff(first, wasm), tolerance: fp16 ? 1e-2 : 1e-3, vsTorch: maxProbDiff(first, torch.logits) };
  }
  if (!(check.maxProbDiff <= check.tolerance)) {
    throw new Error(`${runner} on ${place.name}: probabilities differ from ${check.reference} by ${check.maxProbDiff.toExponential(2)} (tolerance ${check.tolerance}); not timed`);
  }

  const b1 = await timed(r, 1, rounds, Math.min(3, rounds));
  const b10 = await timed(r, 10, Math.max(2, Math.ceil(rounds / 4)), 1);
  const c = dawn.counters, before = { ...c };
  await r.run(1);
  const perRun = { dispatches: c.dispatches - before.dispatches, submits: c.submits - before.submits, uploadBytes: c.uploadBytes - before.uploadBytes, readbacks: c.readbacks - before.readbacks };
  const gpuPeakBytes = c.peakBytes;
  // Diagnostics after the timings: a failure here costs only the diagnostic.
  let profile: ChildResult['profile'], variants: ChildResult['variants'];
  try {
    const t = performance.now();
    const p = await r.profile?.();
    if (p) profile = { ...p, wallMs: performance.now() - t };
    if (rounds >= 10) variants = await r.variants?.(); // not in the --small self-test
  } catch (e) {
    variants = { [`diagnostics failed: ${String((e as Error)?.message ?? e).slice(0, 200)}`]: NaN };
  }
  await r.dispose();
  return { runner, model: place.name, detail: r.detail, adapter: dawn.adapter, check, coldMs, b1, b10, perRun, gpuPeakBytes, profile, variants };
}
