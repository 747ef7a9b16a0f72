/**
 * The relaxed kernels' two forms of the dot product (int8.c), the same integers at different speeds per CPU — fused
 * (i32x4.relaxed_dot_i8x16_i7x16_add: one instruction with VNNI, five without) and paired (i16 pairs, then a pairwise
 * widening add: three everywhere) — and the timed probe that picks one per process or page, as XNNPACK picks
 * microkernels.
 */
import type { KernelExports } from './kernels.js';

export type DotForm = 'fused' | 'paired';
/** The form the probe found faster here, and how much faster (its rate ÷ the other's). */
export interface DotChoice { form: DotForm; speedup: number }

let dotChoice: DotChoice | undefined;
let probing: Promise<DotChoice | undefined> | undefined;

/** The dot form the probe chose (undefined until a model large enough to probe for was created on relaxed SIMD). */
export const relaxedDotChoice = (): DotChoice | undefined => dotChoice;

/** The chosen form as set_dot_form takes it (fused until a probe says otherwise). */
export const dotFormCode = (): number => (dotChoice?.form === 'paired' ? 1 : 0);

/** For tests and benchmarks: run the relaxed kernels created from now on in this form instead of the probe's. */
export function forceDotForm(form: DotForm): void {
  dotChoice = { form, speedup: dotChoice?.speedup ?? 1 };
}

/**
 * Times both forms on `k`, a relaxed instance of the probe's own (`scratch` gives it memory). Each form multiplies a
 * 64 × 576 × 64 GEMM (2.4 M multiply-adds) in windows of at least 1 ms — long enough for browsers' coarse timers —
 * alternately, and keeps its best window. The first calls run before V8's optimizing tier has compiled the GEMM (in
 * the background, late on a busy page), so rounds go on until three in a row raise neither form's best by 10 % (4 to
 * 30 rounds). Paired is taken only when it is 5 % faster: fused is the form for VNNI, and the one kept when the probe
 * cannot tell. Typically 10–25 ms (in Chromium, 8 fresh pages of 8 chose fused with VNNI and paired with V8's VNNI
 * lowering off).
 */
function probeDotForm(k: KernelExports, scratch: (bytes: number) => number): DotChoice {
  const m = 64, kpad = 576, n = 64, base = scratch(m * kpad + n * kpad + 12 * n + 4 * m * n);
  const a = base, b = a + m * kpad, wsum = b + n * kpad, wscale = wsum + 4 * n, bias = wscale + 4 * n, out = bias + 4 * n;
  const rate = [0, 0]; // GEMMs per ms, best window
  for (let round = 0, flat = 0; round < 30 && (round < 4 || flat < 3); round++) {
    let improved = false;
    for (const form of [0, 1]) {
      k.set_dot_form!(form);
      const t0 = performance.now();
      let calls = 0, t = t0;
      while (t - t0 < 1) {
        k.gemm_u7s8(a, m, kpad, b, n, wsum, wscale, bias, 1, 0, 0, 0, out, 0, m, 0);
        calls++;
        t = performance.now();
      }
      const r = calls / (t - t0);
      if (r > rate[form] * 1.1) improved = true;
      rate[form] = Math.max(rate[form], r);
    }
    flat = improved ? 0 : flat + 1;
  }
  const form: DotForm = rate[1] > rate[0] * 1.05 ? 'paired' : 'fused';
  return { form, speedup: Math.max(rate[0], rate[1]) / Math.min(rate[0], rate[1]) };
}

/**
 * The probe, once per process or page, on the instance `instance` gives (undefined where the relaxed kernels do not
 * run here). Only for models whose convolutions are large enough for the form to matter (resnet.ts): the probe would
 * be most of a CIFAR ResNet's cold start, whose GEMMs take microseconds either way.
 */
export function probeOnce(instance: () => Promise<{ k: KernelExports; scratch: (bytes: number) => number } | undefined>): Promise<DotChoice | undefined> {
  return (probing ??= (async () => {
    const probe = await instance();
    if (probe && !dotChoice) dotChoice = probeDotForm(probe.k, probe.scratch);
    return dotChoice;
  })());
}
