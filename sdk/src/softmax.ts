/** Class probabilities from logits, for the classifier and the custom heads. */
import { ComputeError } from './errors.js';

/** Softmax in float64, from float32 logits; NaN or infinite logits are a ComputeError (no probability would mean anything). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) {
      throw new ComputeError('NON_FINITE_OUTPUT', `The model computed a score of ${logits[i]} for class ${i}: its weights overflow float32 on this image. The pack is unusable; re-convert it from a working model.`);
    }
    max = Math.max(max, logits[i]);
  }
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}
