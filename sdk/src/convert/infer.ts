/** SourceResnet -> the pack's Architecture and its folded layers under the pack's names. */
import { ModelFormatError } from '../errors.js';
import { blockName, depthOf, expectedLayers, type Architecture, type ShortcutType } from '../pack.js';
import { foldConv, type FoldedLayer } from './fold.js';
import type { SourceBlock, SourceResnet } from './tensor.js';

const notResnet = (why: string): ModelFormatError =>
  new ModelFormatError('MODEL_NOT_RESNET', `The model's layers do not form a ResNet resnet-edge supports: ${why}.`);

const outOf = (b: SourceBlock): number => b.convs[b.convs.length - 1].weight.shape[0];
const inOf = (b: SourceBlock): number => b.convs[0].weight.shape[1];
const kernels = (b: SourceBlock): string => b.convs.map((c) => c.weight.shape[2]).join('');

function blockStride(b: SourceBlock, bottleneck: boolean, i: number): number {
  const strided = bottleneck ? 1 : 0;
  b.convs.forEach((c, k) => {
    if (k !== strided && c.stride !== 1) {
      throw notResnet(`block ${i}: ${c.where} has stride ${c.stride}; only the ${bottleneck ? 'middle 3×3 (torchvision layout)' : 'first'} convolution may be strided`);
    }
  });
  return b.convs[strided].stride;
}

function shortcutType(blocks: SourceBlock[], changes: boolean[]): ShortcutType {
  const proj = blocks.map((b) => !!b.shortcut);
  if (proj.every(Boolean)) return 'C';
  if (!proj.some(Boolean)) return changes.some(Boolean) ? 'A' : 'B';
  if (proj.some((p, i) => p !== changes[i])) throw notResnet('projection shortcuts appear on blocks whose shape does not change, but not on all blocks');
  return 'B';
}

export function inferArchitecture(src: SourceResnet): { architecture: Architecture; layers: FoldedLayer[] } {
  const type = kernels(src.blocks[0]);
  if (type !== '33' && type !== '131') throw notResnet(`the first block's kernels are ${type.split('').join('×, ')}×: neither basic (3×3, 3×3) nor bottleneck (1×1, 3×3, 1×1)`);
  const bottleneck = type === '131';
  const stages: Architecture['stages'] = [];
  const changes: boolean[] = [];
  let prevOut = src.stem.weight.shape[0];
  src.blocks.forEach((b, i) => {
    if (kernels(b) !== type) throw notResnet(`block ${i} has kernels ${kernels(b)}, block 0 has ${type}`);
    const stride = blockStride(b, bottleneck, i);
    const change = stride !== 1 || inOf(b) !== outOf(b) || prevOut !== outOf(b);
    if (inOf(b) !== prevOut) throw notResnet(`block ${i} takes ${inOf(b)} channels but receives ${prevOut}`);
    changes.push(change);
    if (i === 0 || change) stages.push({ blocks: 0, width: b.convs[0].weight.shape[0], stride });
    stages[stages.length - 1].blocks++;
    prevOut = outOf(b);
  });
  const k = src.stem.weight.shape[2];
  const architecture: Architecture = {
    stem: { kernel: k, stride: src.stem.stride, width: src.stem.weight.shape[0], maxPool: src.maxPool },
    block: bottleneck ? 'bottleneck' : 'basic',
    stages,
    shortcut: shortcutType(src.blocks, changes),
    numClasses: src.fc.weight.shape[0],
    depth: 0,
  };
  architecture.depth = depthOf(architecture);
  if (src.stem.weight.shape[1] !== 3) throw notResnet(`the stem takes ${src.stem.weight.shape[1]} channels, not RGB`);
  if (src.fc.weight.shape.length !== 2 || src.fc.weight.shape[1] !== prevOut || src.fc.bias.length !== architecture.numClasses) {
    throw notResnet(`the classifier's weight [${src.fc.weight.shape}] does not match the ${prevOut} pooled features`);
  }
  const layers = [foldConv('conv1', src.stem)];
  let i = 0;
  stages.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++, i++) {
      const blk = src.blocks[i];
      blk.convs.forEach((c, j) => layers.push(foldConv(`${blockName(s, b)}.conv${j + 1}`, c)));
      if (blk.shortcut) layers.push(foldConv(`${blockName(s, b)}.downsample`, blk.shortcut));
    }
  });
  layers.push({ name: 'fc', shape: src.fc.weight.shape, weight: src.fc.weight.data, bias: src.fc.bias });
  const expected = expectedLayers(architecture);
  expected.forEach((e, j) => {
    if (layers[j]?.name !== e.name || layers[j].shape.join() !== e.shape.join()) {
      throw notResnet(`layer ${layers[j]?.name ?? j} [${layers[j]?.shape}] where the architecture needs ${e.name} [${e.shape}]`);
    }
  });
  if (layers.length !== expected.length) throw notResnet(`${layers.length} layers where the architecture needs ${expected.length}`);
  for (const l of layers) checkFinite(l);
  return { architecture, layers };
}

/** NaN or infinite weights (or a BatchNorm whose variance + eps is not positive) would load and answer NaN: refused here. */
function checkFinite(l: FoldedLayer): void {
  if (l.bias.length !== l.shape[0]) throw new ModelFormatError('MODEL_FORMAT', `Layer ${l.name} has ${l.bias.length} biases for ${l.shape[0]} outputs.`);
  for (const [what, data] of [['weight', l.weight], ['bias', l.bias]] as const) {
    const i = data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new ModelFormatError('MODEL_FORMAT', `Layer ${l.name}'s ${what} is ${data[i]} at element ${i} (after folding its BatchNorm: a non-positive running_var + eps gives this too). The model is broken; check the file or re-export it.`);
    }
  }
}
