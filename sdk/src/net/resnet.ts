/**
 * The forward pass on tfjs, step by step from the plan (./plan.ts): every ResNet of the paper, ImageNet and CIFAR,
 * every shortcut option and both bottlenecks. Activations are NHWC; BatchNorm is already folded into each
 * convolution's weights and bias. Loaded only when tfjs computes (a float pack, compute 'float32').
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvStep, Plan, Residual, Slot } from './plan.js';

/** A layer uploaded to the backend: HWIO filter (or [in, out] matrix) and bias. */
export interface Layer { filter: tf.Tensor; bias: tf.Tensor1D }
export type Layers = ReadonlyMap<string, Layer>;

function conv(x: tf.Tensor4D, layer: Layer, step: ConvStep, relu: boolean): tf.Tensor4D {
  return tf.fused.conv2d({
    x, filter: layer.filter as tf.Tensor4D, strides: step.stride, pad: step.pad, bias: layer.bias,
    activation: relu ? 'relu' : 'linear',
  });
}

/** The residual as the plan places it: read at every `stride`-th pixel, its channels from `channelOffset` (option A pads zeros). */
function shortcut(x: tf.Tensor4D, r: Residual, outChannels: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const sub = r.stride === 1 ? x : tf.stridedSlice(x, [0, 0, 0, 0], [n, h, w, c], [1, r.stride, r.stride, 1]) as tf.Tensor4D;
  const extra = outChannels - c;
  return extra === 0 ? sub : tf.pad(sub, [[0, 0], [0, 0], [0, 0], [r.channelOffset, extra - r.channelOffset]]);
}

function convStep(slots: Map<Slot, tf.Tensor4D>, layers: Layers, step: ConvStep): tf.Tensor4D {
  const x = slots.get(step.src)!, layer = layers.get(step.layer)!;
  if (!step.residual) return conv(x, layer, step, step.relu);
  const y = tf.add(conv(x, layer, step, false), shortcut(slots.get(step.residual.slot)!, step.residual, step.out.c));
  return (step.relu ? tf.relu(y) : y) as tf.Tensor4D;
}

/** Pooled features [N, C] of a normalized NHWC batch (the input to the classifier). */
export function features(plan: Plan, layers: Layers, input: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const slots = new Map<Slot, tf.Tensor4D>([['input', input]]);
    for (const step of plan.steps) {
      const out = step.kind === 'conv' ? convStep(slots, layers, step) : tf.maxPool(slots.get(step.src)!, 3, 2, 1) as tf.Tensor4D;
      slots.set(step.dst, out);
    }
    return tf.mean(slots.get(plan.last.slot)!, [1, 2]) as tf.Tensor2D;
  });
}

/** Logits [N, classes] from pooled features. */
export function classifierHead(layers: Layers, pooled: tf.Tensor2D): tf.Tensor2D {
  const fc = layers.get('fc')!;
  return tf.tidy(() => tf.add(tf.matMul(pooled, fc.filter as tf.Tensor2D), fc.bias));
}
