/**
 * A ResNet from a PyTorch state dict, by key names: torchvision (conv1, bn1, layerN.i.convK/bnK,
 * layerN.i.downsample.{0,1}, fc) and the paper's CIFAR models (same, with `linear` as the classifier).
 * State dicts hold no strides; ResNet's convention supplies them: stride 2 at the first block of every stage
 * after the first, and a 7×7 stride-2 stem with max-pool (ImageNet) or a 3×3 stride-1 stem without (CIFAR).
 */
import { ModelFormatError } from '../errors.js';
import type { SourceBlock, SourceConv, SourceResnet, Tensor } from './tensor.js';

const notResnet = (why: string): ModelFormatError =>
  new ModelFormatError('MODEL_NOT_RESNET', `These weights are not a ResNet state dict resnet-edge can convert: ${why}.`);

/** strideIn1x1: put a strided bottleneck's stride on its first 1×1 (the original ResNet) instead of its 3×3 (torchvision). */
export function resnetFromStateDict(input: Map<string, Tensor>, strideIn1x1 = false): SourceResnet {
  const sd = new Map([...input].map(([k, v]) => [k.replace(/^(module|model)\./, ''), v]));
  const get = (k: string): Tensor => {
    const t = sd.get(k);
    if (!t) throw notResnet(`key "${k}" is missing`);
    return t;
  };
  const conv = (prefix: string, bn: string, stride: number, where: string): SourceConv => ({
    weight: get(`${prefix}.weight`), bias: sd.get(`${prefix}.bias`)?.data, stride, where,
    bn: { gamma: get(`${bn}.weight`).data, beta: get(`${bn}.bias`).data, mean: get(`${bn}.running_mean`).data, variance: get(`${bn}.running_var`).data, eps: 1e-5 },
  });
  const stemW = get('conv1.weight');
  if (stemW.shape.length !== 4) throw notResnet('conv1.weight is not a 4-D convolution weight');
  const imagenet = stemW.shape[2] === 7;
  const stem = conv('conv1', 'bn1', imagenet ? 2 : 1, 'conv1');
  const blocks: SourceBlock[] = [];
  for (let s = 1; sd.has(`layer${s}.0.conv1.weight`); s++) {
    for (let b = 0; sd.has(`layer${s}.${b}.conv1.weight`); b++) {
      const p = `layer${s}.${b}`;
      const stride = s > 1 && b === 0 ? 2 : 1;
      const bottleneck = sd.has(`${p}.conv3.weight`);
      const convs = [1, 2, 3].filter((k) => k < 3 || bottleneck).map((k) =>
        conv(`${p}.conv${k}`, `${p}.bn${k}`, (bottleneck && !strideIn1x1 ? k === 2 : k === 1) ? stride : 1, `${p}.conv${k}`));
      const block: SourceBlock = { convs };
      if (sd.has(`${p}.downsample.0.weight`)) block.shortcut = conv(`${p}.downsample.0`, `${p}.downsample.1`, stride, `${p}.downsample`);
      else if (sd.has(`${p}.shortcut.0.weight`)) block.shortcut = conv(`${p}.shortcut.0`, `${p}.shortcut.1`, stride, `${p}.shortcut`);
      blocks.push(block);
    }
  }
  if (blocks.length === 0) throw notResnet('no layer1.0.conv1.weight: no residual blocks found');
  const fcName = sd.has('fc.weight') ? 'fc' : sd.has('linear.weight') ? 'linear' : undefined;
  if (!fcName) throw notResnet('no classifier (fc.weight or linear.weight)');
  return { stem, maxPool: imagenet, blocks, fc: { weight: get(`${fcName}.weight`), bias: get(`${fcName}.bias`).data } };
}
