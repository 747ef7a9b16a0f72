/** Weight encodings for the pack and the error each one makes, per layer and in total. */
import { ModelFormatError } from '../errors.js';
import { floatToHalf, halfToFloat, type WeightDType } from '../pack.js';
import type { FoldedLayer } from './fold.js';

export interface EncodedLayer { layer: FoldedLayer; bytes: Uint8Array; scales?: Float32Array; decoded: Float32Array }

export interface LayerError {
  name: string;
  /** ‖w − ŵ‖ / ‖w‖ */
  relativeError: number;
  maxAbsError: number;
  /** Signal-to-quantization-noise ratio, 20·log10(‖w‖/‖w − ŵ‖); Infinity when exact. */
  sqnrDb: number;
}

/** Symmetric int8, one scale per output channel: q = round(w / s), s = max|w| / 127. */
function int8(layer: FoldedLayer): EncodedLayer {
  const out = layer.shape[0], per = layer.weight.length / out;
  const q = new Int8Array(layer.weight.length), scales = new Float32Array(out), decoded = new Float32Array(layer.weight.length);
  for (let o = 0; o < out; o++) {
    let max = 0;
    for (let i = o * per; i < (o + 1) * per; i++) max = Math.max(max, Math.abs(layer.weight[i]));
    const s = Math.fround(max > 0 ? max / 127 : 1);
    scales[o] = s;
    for (let i = o * per; i < (o + 1) * per; i++) {
      q[i] = Math.max(-127, Math.min(127, Math.round(layer.weight[i] / s)));
      decoded[i] = Math.fround(q[i] * s);
    }
  }
  return { layer, bytes: new Uint8Array(q.buffer), scales, decoded };
}

function float16(layer: FoldedLayer): EncodedLayer {
  const h = new Uint16Array(layer.weight.length), decoded = new Float32Array(layer.weight.length);
  const back = new Float32Array(1);
  for (let i = 0; i < h.length; i++) {
    h[i] = floatToHalf(layer.weight[i]);
    if ((h[i] & 0x7c00) === 0x7c00) {
      throw new ModelFormatError('MODEL_FORMAT', `Layer ${layer.name}'s weight ${layer.weight[i]} (element ${i}) is beyond float16's range (±65504); convert with dtype int8 or float32.`);
    }
    back[0] = halfToFloat(h[i]);
    decoded[i] = back[0];
  }
  return { layer, bytes: new Uint8Array(h.buffer), decoded };
}

export function encodeLayer(layer: FoldedLayer, dtype: WeightDType): EncodedLayer {
  if (dtype === 'int8') return int8(layer);
  if (dtype === 'float16') return float16(layer);
  const copy = Float32Array.from(layer.weight);
  return { layer, bytes: new Uint8Array(copy.buffer), decoded: layer.weight };
}

export function layerError(e: EncodedLayer): LayerError & { sumSq: number; errSq: number } {
  let sumSq = 0, errSq = 0, maxAbs = 0;
  const w = e.layer.weight;
  for (let i = 0; i < w.length; i++) {
    const d = w[i] - e.decoded[i];
    sumSq += w[i] * w[i]; errSq += d * d; maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  const rel = sumSq > 0 ? Math.sqrt(errSq / sumSq) : 0;
  return { name: e.layer.name, relativeError: rel, maxAbsError: maxAbs, sqnrDb: errSq > 0 ? 10 * Math.log10(sumSq / errSq) : Infinity, sumSq, errSq };
}
