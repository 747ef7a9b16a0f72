/**
 * A tiny deterministic network (the ops a ResNet uses: fused conv + bias + relu, strided conv, max-pool,
 * residual add, mean, matMul) run on the active backend. A backend is trusted only when its probe output
 * agrees with the SIMD wasm one.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic values in [-1, 1) from a linear congruential sequence. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export async function runProbe(): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 17 * 17 * 8, 1), [2, 17, 17, 8]);
    const w1 = tf.tensor4d(values(3 * 3 * 8 * 16, 2), [3, 3, 8, 16]), b1 = tf.tensor1d(values(16, 3));
    const w2 = tf.tensor4d(values(3 * 3 * 16 * 16, 4), [3, 3, 16, 16]), b2 = tf.tensor1d(values(16, 5));
    const wp = tf.tensor4d(values(8 * 16, 6), [1, 1, 8, 16]);
    const fc = tf.tensor2d(values(16 * 10, 7), [16, 10]);
    const y = tf.fused.conv2d({ x, filter: w1, strides: 2, pad: 1, bias: b1, activation: 'relu' });
    const z = tf.fused.conv2d({ x: y, filter: w2, strides: 1, pad: 1, bias: b2, activation: 'linear' });
    const shortcut = tf.conv2d(x, wp, 2, 'valid');
    const r = tf.relu(tf.add(z, shortcut)) as tf.Tensor4D;
    const pooled = tf.mean(tf.maxPool(r, 3, 2, 1), [1, 2]) as tf.Tensor2D;
    return tf.matMul(pooled, fc);
  });
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Largest difference relative to the reference's largest magnitude (at least 1). */
export function probeDifference(got: Float32Array, reference: Float32Array): number {
  let diff = 0, scale = 1;
  for (let i = 0; i < reference.length; i++) {
    if (!Number.isFinite(got[i])) return Infinity;
    diff = Math.max(diff, Math.abs(got[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return got.length === reference.length ? diff / scale : Infinity;
}

/** Agreement required between a backend and SIMD wasm on the probe. */
export const PROBE_TOLERANCE = 1e-3;
