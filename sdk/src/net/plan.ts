/**
 * A ResNet's forward pass as a flat list of steps over a few activation slots, built once from the pack's
 * architecture for one crop size: each convolution with its shapes, stride and padding, where its input comes from,
 * where its output goes, and which residual (identity, option-A padded identity, or a projection) joins it.
 * BatchNorm is folded into the convolutions; every convolution but a projection shortcut ends in ReLU.
 */
import type { Architecture } from '../pack/format.js';
import { blockInWidth, blockName, hasProjection, stageOutWidth } from '../pack/layout.js';

/** Activation slots: the network input, the block input X and output Y (swapped after each block), temporaries. */
export type Slot = 'input' | 'x' | 'y' | 't1' | 't2' | 's';
export interface Shape { h: number; w: number; c: number }

/** A residual added before the ReLU: `slot` read at (y·stride, x·stride), its channels placed from `channelOffset`. */
export interface Residual { slot: Slot; shape: Shape; stride: number; channelOffset: number }

export interface ConvStep {
  kind: 'conv'; layer: string; k: number; stride: number; pad: number; relu: boolean;
  src: Slot; dst: Slot; in: Shape; out: Shape; residual?: Residual;
}
export interface MaxPoolStep { kind: 'maxpool'; src: Slot; dst: Slot; in: Shape; out: Shape }
export type Step = ConvStep | MaxPoolStep;

export interface Plan {
  steps: Step[];
  /** The last activation: global average pooling of it feeds the classifier `fc`. */
  last: { slot: Slot; shape: Shape };
  classes: number;
  /** Elements of one image each slot must hold (the largest activation written to it). */
  slotElements: Record<Slot, number>;
}

const outSide = (side: number, k: number, stride: number, pad: number) => Math.floor((side + 2 * pad - k) / stride) + 1;
const elements = (s: Shape) => s.h * s.w * s.c;

export function buildPlan(arch: Architecture, crop: number): Plan {
  const steps: Step[] = [];
  const slotElements: Record<Slot, number> = { input: crop * crop * 3, x: 0, y: 0, t1: 0, t2: 0, s: 0 };
  const conv = (layer: string, src: Slot, dst: Slot, input: Shape, cout: number, k: number, stride: number, relu: boolean, residual?: Residual): Shape => {
    const pad = (k - 1) >> 1, side = outSide(input.h, k, stride, pad);
    const out = { h: side, w: outSide(input.w, k, stride, pad), c: cout };
    steps.push({ kind: 'conv', layer, k, stride, pad, relu, src, dst, in: input, out, residual });
    slotElements[dst] = Math.max(slotElements[dst], elements(out));
    return out;
  };
  let [X, Y]: Slot[] = ['x', 'y'];
  let x = conv('conv1', 'input', X, { h: crop, w: crop, c: 3 }, arch.stem.width, arch.stem.kernel, arch.stem.stride, true);
  if (arch.stem.maxPool) {
    const out = { h: outSide(x.h, 3, 2, 1), w: outSide(x.w, 3, 2, 1), c: x.c };
    steps.push({ kind: 'maxpool', src: X, dst: Y, in: x, out });
    slotElements[Y] = Math.max(slotElements[Y], elements(out));
    [X, Y, x] = [Y, X, out];
  }
  arch.stages.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++) {
      const p = blockName(s, b), stride = b === 0 ? stage.stride : 1, cout = stageOutWidth(arch, s);
      let residual: Residual = { slot: X, shape: x, stride, channelOffset: (cout - blockInWidth(arch, s, b)) >> 1 };
      if (hasProjection(arch, s, b)) {
        const proj = conv(`${p}.downsample`, X, 's', x, cout, 1, stride, false);
        residual = { slot: 's', shape: proj, stride: 1, channelOffset: 0 };
      }
      let y: Shape;
      if (arch.block === 'basic') {
        y = conv(`${p}.conv1`, X, 't1', x, stage.width, 3, stride, true);
        y = conv(`${p}.conv2`, 't1', Y, y, cout, 3, 1, true, residual);
      } else {
        // The stride sits on the 3×3 (torchvision, "v1.5") or on the first 1×1 (the original ResNet, "v1").
        const v1 = Boolean(arch.strideIn1x1);
        y = conv(`${p}.conv1`, X, 't1', x, stage.width, 1, v1 ? stride : 1, true);
        y = conv(`${p}.conv2`, 't1', 't2', y, stage.width, 3, v1 ? 1 : stride, true);
        y = conv(`${p}.conv3`, 't2', Y, y, cout, 1, 1, true, residual);
      }
      [X, Y, x] = [Y, X, y];
    }
  });
  return { steps, last: { slot: X, shape: x }, classes: arch.numClasses, slotElements };
}
