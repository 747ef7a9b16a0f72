/**
 * A linear softmax classifier trained on embeddings, deterministically (same examples, same head: no randomness at
 * all): features standardized per dimension, weights and biases from zero, full-batch Adam on the mean cross-entropy
 * plus weightDecay/2 · ‖W‖², in float64. tools/knn_reference.py runs the same algorithm in PyTorch. The
 * standardization is folded into the result, so the head applies to raw embeddings: logits = W·x + b.
 */
export interface SoftmaxOptions {
  /** Full-batch steps (default 300). */
  epochs?: number;
  /** Adam's step size (default 0.01). */
  learningRate?: number;
  /** L2 penalty on the weights (default 1e-4). */
  weightDecay?: number;
}

export interface SoftmaxHead { classes: number; dims: number; weight: Float64Array; bias: Float64Array }

export const SOFTMAX_DEFAULTS = { epochs: 300, learningRate: 0.01, weightDecay: 1e-4 } as const;

function standardize(x: readonly Float32Array[], d: number): { z: Float64Array[]; mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(d), scale = new Float64Array(d);
  for (const v of x) for (let j = 0; j < d; j++) mean[j] += v[j] / x.length;
  for (const v of x) for (let j = 0; j < d; j++) scale[j] += (v[j] - mean[j]) ** 2 / x.length;
  for (let j = 0; j < d; j++) scale[j] = 1 / Math.max(Math.sqrt(scale[j]), 1e-6);
  return { z: x.map((v) => Float64Array.from(v, (a, j) => (a - mean[j]) * scale[j])), mean, scale };
}

/** The gradient of the loss at (w, b), into gw and gb. */
function gradient(z: Float64Array[], y: readonly number[], w: Float64Array, b: Float64Array, c: number, d: number, decay: number, gw: Float64Array, gb: Float64Array): void {
  gw.fill(0); gb.fill(0);
  const p = new Float64Array(c), n = z.length;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < c; k++) {
      let s = b[k];
      for (let j = 0; j < d; j++) s += w[k * d + j] * z[i][j];
      p[k] = s;
      max = Math.max(max, s);
    }
    let sum = 0;
    for (let k = 0; k < c; k++) sum += p[k] = Math.exp(p[k] - max);
    for (let k = 0; k < c; k++) {
      const g = (p[k] / sum - (k === y[i] ? 1 : 0)) / n;
      gb[k] += g;
      for (let j = 0; j < d; j++) gw[k * d + j] += g * z[i][j];
    }
  }
  for (let k = 0; k < c * d; k++) gw[k] += decay * w[k];
}

/** Trains the head on `x` (embeddings) with class indices `y` in [0, classes). */
export function trainSoftmax(x: readonly Float32Array[], y: readonly number[], classes: number, options: SoftmaxOptions = {}): SoftmaxHead {
  const epochs = options.epochs ?? SOFTMAX_DEFAULTS.epochs, lr = options.learningRate ?? SOFTMAX_DEFAULTS.learningRate;
  const weightDecay = options.weightDecay ?? SOFTMAX_DEFAULTS.weightDecay;
  const d = x[0].length, c = classes;
  const { z, mean, scale } = standardize(x, d);
  const params = [new Float64Array(c * d), new Float64Array(c)];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length)), m2 = params.map((p) => new Float64Array(p.length));
  for (let t = 1; t <= epochs; t++) {
    gradient(z, y, params[0], params[1], c, d, weightDecay, grads[0], grads[1]);
    const c1 = 1 - 0.9 ** t, c2 = 1 - 0.999 ** t;
    params.forEach((p, q) => {
      for (let i = 0; i < p.length; i++) {
        m1[q][i] = 0.9 * m1[q][i] + 0.1 * grads[q][i];
        m2[q][i] = 0.999 * m2[q][i] + 0.001 * grads[q][i] ** 2;
        p[i] -= (lr * m1[q][i] / c1) / (Math.sqrt(m2[q][i] / c2) + 1e-8);
      }
    });
  }
  // logits = W·((x - mean)·scale) + b = (W·scale)·x + (b - (W·scale)·mean)
  const [w, b] = params;
  const weight = new Float64Array(c * d), bias = Float64Array.from(b);
  for (let k = 0; k < c; k++) {
    for (let j = 0; j < d; j++) {
      weight[k * d + j] = w[k * d + j] * scale[j];
      bias[k] -= weight[k * d + j] * mean[j];
    }
  }
  return { classes: c, dims: d, weight, bias };
}

/** W·x + b. */
export function headLogits(head: SoftmaxHead, x: Float32Array): Float64Array {
  const out = Float64Array.from(head.bias);
  for (let k = 0; k < head.classes; k++) for (let j = 0; j < head.dims; j++) out[k] += head.weight[k * head.dims + j] * x[j];
  return out;
}
