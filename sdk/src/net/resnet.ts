/**
 * The forward pass of every ResNet of the paper, driven by the pack's architecture:
 * ImageNet ResNet-18/34 (basic) and 50/101/152 (bottleneck) in the torchvision layout, and the CIFAR
 * ResNet-20…1202 with option-A shortcuts. Activations are NHWC; BatchNorm is already folded into
 * each convolution's weights and bias.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Architecture } from '../pack/format.js';
import { blockInWidth, blockName, hasProjection, stageOutWidth } from '../pack/layout.js';

/** A layer uploaded to the backend: HWIO filter (or [in, out] matrix) and bias. */
export interface Layer { filter: tf.Tensor; bias: tf.Tensor1D }
export type Layers = ReadonlyMap<string, Layer>;

function conv(x: tf.Tensor4D, layer: Layer, stride: number, relu: boolean): tf.Tensor4D {
  const k = layer.filter.shape[0];
  return tf.fused.conv2d({
    x, filter: layer.filter as tf.Tensor4D, strides: stride, pad: (k - 1) >> 1, bias: layer.bias,
    activation: relu ? 'relu' : 'linear',
  });
}

/** Option A: subsample by the stride and zero-pad the new channels equally on both sides. */
function padShortcut(x: tf.Tensor4D, stride: number, outWidth: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const sub = stride === 1 ? x : tf.stridedSlice(x, [0, 0, 0, 0], [n, h, w, c], [1, stride, stride, 1]) as tf.Tensor4D;
  const extra = outWidth - c;
  return extra === 0 ? sub : tf.pad(sub, [[0, 0], [0, 0], [0, 0], [extra >> 1, extra - (extra >> 1)]]);
}

function block(arch: Architecture, layers: Layers, x: tf.Tensor4D, s: number, b: number): tf.Tensor4D {
  const p = blockName(s, b), stride = b === 0 ? arch.stages[s].stride : 1;
  const get = (n: string) => layers.get(`${p}.${n}`)!;
  let y: tf.Tensor4D;
  if (arch.block === 'basic') {
    y = conv(conv(x, get('conv1'), stride, true), get('conv2'), 1, false);
  } else {
    const v1 = Boolean(arch.strideIn1x1); // the stride on the first 1×1 (v1) or on the 3×3 (torchvision's v1.5)
    y = conv(conv(conv(x, get('conv1'), v1 ? stride : 1, true), get('conv2'), v1 ? 1 : stride, true), get('conv3'), 1, false);
  }
  const out = stageOutWidth(arch, s);
  let shortcut = x;
  if (hasProjection(arch, s, b)) shortcut = conv(x, get('downsample'), stride, false);
  else if (stride !== 1 || blockInWidth(arch, s, b) !== out) shortcut = padShortcut(x, stride, out);
  return tf.relu(tf.add(y, shortcut)) as tf.Tensor4D;
}

/** Pooled features [N, C] of a normalized NHWC batch (the input to the classifier). */
export function features(arch: Architecture, layers: Layers, input: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let x = conv(input, layers.get('conv1')!, arch.stem.stride, true);
    if (arch.stem.maxPool) x = tf.maxPool(x, 3, 2, 1) as tf.Tensor4D;
    arch.stages.forEach((stage, s) => {
      for (let b = 0; b < stage.blocks; b++) x = block(arch, layers, x, s, b);
    });
    return tf.mean(x, [1, 2]) as tf.Tensor2D;
  });
}

/** Logits [N, classes] from pooled features. */
export function classifierHead(layers: Layers, pooled: tf.Tensor2D): tf.Tensor2D {
  const fc = layers.get('fc')!;
  return tf.tidy(() => tf.add(tf.matMul(pooled, fc.filter as tf.Tensor2D), fc.bias));
}
