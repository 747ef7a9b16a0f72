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

/** A block's stride, and (bottlenecks) which convolution carries it: 0 the first 1×1 (v1), 1 the 3×3 (v1.5). */
function blockStride(b: SourceBlock, bottleneck: boolean, i: number): { stride: number; at?: number } {
  const strided = b.convs.map((c, k) => (c.stride !== 1 ? k : -1)).filter((k) => k >= 0);
  if (strided.length === 0) return { stride: 1 };
  const allowed = bottleneck ? [0, 1] : [0];
  if (strided.length > 1 || !allowed.includes(strided[0])) {
    throw notResnet(`block ${i}: ${strided.map((k) => `${b.convs[k].where} (stride ${b.convs[k].stride})`).join(', ')} strided; only the ${bottleneck ? 'first 1×1 or the 3×3' : 'first'} convolution may be`);
  }
  return { stride: b.convs[strided[0]].stride, at: strided[0] };
}

function shortcutType(blocks: SourceBlock[], changes: boolean[]): ShortcutType {
  const proj = blocks.map((b) => !!b.shortcut);
  if (proj.every(Boolean)) return 'C';
  if (!proj.some(Boolean)) return changes.some(Boolean) ? 'A' : 'B';
  if (proj.some((p, i) => p !== changes[i])) throw notResnet('projection shortcuts appear on blocks whose shape does not change, but not on all blocks');
  return 'B';
}

/** Variants resnet-edge does not run, named so that the refusal says what they are. */
function refuseVariants(b: SourceBlock, i: number, bottleneck: boolean): void {
  b.convs.forEach((c, k) => {
    const fed = k === 0 ? c.weight.shape[1] : b.convs[k - 1].weight.shape[0], takes = c.weight.shape[1];
    if (k > 0 && takes !== fed && fed % takes === 0) {
      throw notResnet(`block ${i}: ${c.where} is a grouped convolution (${fed / takes} groups, as in ResNeXt); resnet-edge runs plain ResNets`);
    }
  });
  if (bottleneck) {
    const inner = b.convs[0].weight.shape[0], out = outOf(b);
    if (out !== 4 * inner) throw notResnet(`block ${i}: a bottleneck ${inner} channels wide inside for ${out} outside (Wide ResNet?); resnet-edge runs bottlenecks that expand 4×`);
  }
}

export function inferArchitecture(src: SourceResnet): { architecture: Architecture; layers: FoldedLayer[] } {
  const type = kernels(src.blocks[0]);
  if (type !== '33' && type !== '131') throw notResnet(`the first block's kernels are ${type.split('').join('×, ')}×: neither basic (3×3, 3×3) nor bottleneck (1×1, 3×3, 1×1)`);
  const bottleneck = type === '131';
  const stages: Architecture['stages'] = [];
  const changes: boolean[] = [];
  const strideAt = new Set<number>();
  let prevOut = src.stem.weight.shape[0];
  src.blocks.forEach((b, i) => {
    if (kernels(b) !== type) throw notResnet(`block ${i} has kernels ${kernels(b)}, block 0 has ${type}`);
    refuseVariants(b, i, bottleneck);
    const { stride, at } = blockStride(b, bottleneck, i);
    if (at !== undefined) strideAt.add(at);
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
    ...(bottleneck && strideAt.has(0) ? { strideIn1x1: true } : {}),
    stages,
    shortcut: shortcutType(src.blocks, changes),
    numClasses: src.fc.weight.shape[0],
    depth: 0,
  };
  architecture.depth = depthOf(architecture);
  if (strideAt.size > 1) throw notResnet('some bottlenecks stride on their first 1×1 and others on their 3×3');
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
