/**
 * A ResNet's forward pass as a flat list of steps over a few activation slots, built once from the pack's
 * architecture for one crop size: each convolution with its shapes, stride and padding, where its input comes from,
 * where its output goes, and which residual (identity, option-A padded identity, or a projection) joins it.
 * BatchNorm is folded into the convolutions; every convolution but a projection shortcut ends in ReLU.
 */
import type { Architecture } from '../pack/format.js';

export const EXPANSION = { basic: 1, bottleneck: 4 } as const;

/** Output channels of a stage's blocks. */
export function stageOutWidth(arch: Architecture, stage: number): number {
  return arch.stages[stage].width * EXPANSION[arch.block];
}

export function blockInWidth(arch: Architecture, s: number, b: number): number {
  if (b > 0) return stageOutWidth(arch, s);
  return s === 0 ? arch.stem.width : stageOutWidth(arch, s - 1);
}

/** Whether block `b` of stage `s` has a projection (1×1 conv) shortcut. */
export function hasProjection(arch: Architecture, s: number, b: number): boolean {
  if (arch.shortcut === 'C') return true;
  if (arch.shortcut === 'A') return false;
  return b === 0 && (arch.stages[s].stride !== 1 || blockInWidth(arch, s, b) !== stageOutWidth(arch, s));
}

export const blockName = (s: number, b: number): string => `layer${s + 1}.${b}`;

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

/** One weighted layer the architecture needs: torchvision's name and PyTorch's shape ([out, in, k, k], fc [out, in]). */
export interface LayerSpec { name: string; shape: number[] }

/**
 * Every weighted layer of the plan, in the order packs list them: the plan's convolutions with each block's
 * projection shortcut after its branch (torchvision's order), then the classifier.
 */
export function layerSpecs(arch: Architecture): LayerSpec[] {
  const plan = buildPlan(arch, 224);
  const convs = plan.steps.filter((s): s is ConvStep => s.kind === 'conv');
  const block = (c: ConvStep) => c.layer.slice(0, Math.max(0, c.layer.lastIndexOf('.')));
  const order = new Map<string, number>();
  for (const c of convs) if (!order.has(block(c))) order.set(block(c), order.size);
  const key = (c: ConvStep) => order.get(block(c))! * 2 + Number(c.layer.endsWith('.downsample'));
  const specs = convs.sort((a, b) => key(a) - key(b)).map((c) => ({ name: c.layer, shape: [c.out.c, c.in.c, c.k, c.k] }));
  return [...specs, { name: 'fc', shape: [plan.classes, plan.last.shape.c] }];
}
