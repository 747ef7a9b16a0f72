import { ModelFormatError } from '../errors.js';
import type { SourceConv } from './tensor.js';

/** A layer ready to store: fp32 weight in PyTorch layout and fp32 bias, BatchNorm folded in. */
export interface FoldedLayer { name: string; shape: number[]; weight: Float32Array; bias: Float32Array }

/**
 * Folds the BatchNorm after a convolution into it:
 *   w' = w · γ/√(σ²+ε)   b' = (b − μ) · γ/√(σ²+ε) + β   (computed in float64, stored in float32).
 */
export function foldConv(name: string, c: SourceConv): FoldedLayer {
  const shape = c.weight.shape, out = shape[0], per = c.weight.data.length / out;
  const params: [string, ArrayLike<number> | undefined][] = c.bn
    ? [['bias', c.bias ?? new Float32Array(out)], ['BatchNorm weight', c.bn.gamma], ['BatchNorm bias', c.bn.beta], ['BatchNorm running_mean', c.bn.mean], ['BatchNorm running_var', c.bn.variance]]
    : [['bias', c.bias ?? new Float32Array(out)]];
  for (const [what, v] of params) {
    if (v?.length !== out) throw new ModelFormatError('MODEL_FORMAT', `${c.where}: its ${what} has ${v?.length ?? 'no'} values for ${out} output channels.`);
  }
  const weight = new Float32Array(c.weight.data.length);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const b = c.bias?.[o] ?? 0;
    let k = 1, shift = 0;
    if (c.bn) {
      k = c.bn.gamma[o] / Math.sqrt(c.bn.variance[o] + c.bn.eps);
      shift = c.bn.beta[o] - c.bn.mean[o] * k;
    }
    for (let i = o * per; i < (o + 1) * per; i++) weight[i] = c.weight.data[i] * k;
    bias[o] = b * k + shift;
  }
  return { name, shape, weight, bias };
}
