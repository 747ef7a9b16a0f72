import * as tf from '@tensorflow/tfjs-core';
import type { Pack } from '../pack/read.js';
import { layerWeights } from '../pack/weights.js';
import type { Layer } from './resnet.js';

/** [out, in, kh, kw] (PyTorch) -> [kh, kw, in, out] (tfjs HWIO). */
function toHWIO(w: Float32Array, [o, i, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + ic) * o + oc] = w[((oc * i + ic) * kh + y) * kw + x];
      }
    }
  }
  return out;
}

/** [out, in] -> [in, out]. */
function transpose2d(w: Float32Array, [o, i]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) out[c * o + r] = w[r * i + c];
  return out;
}

/** Uploads every layer of a verified pack to the active backend, once. The caller owns the tensors. */
export function uploadLayers(pack: Pack): Map<string, Layer> {
  const layers = new Map<string, Layer>();
  for (const t of pack.manifest.tensors) {
    const { shape, weight, bias } = layerWeights(pack.payload, t);
    const filter = shape.length === 4
      ? tf.tensor4d(toHWIO(weight, shape), [shape[2], shape[3], shape[1], shape[0]])
      : tf.tensor2d(transpose2d(weight, shape), [shape[1], shape[0]]);
    layers.set(t.name, { filter, bias: tf.tensor1d(bias) });
  }
  return layers;
}

export function disposeLayers(layers: Map<string, Layer>): void {
  for (const l of layers.values()) { l.filter.dispose(); l.bias.dispose(); }
  layers.clear();
}
