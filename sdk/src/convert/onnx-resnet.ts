/**
 * Finds the ResNet in an ONNX graph by its structure, not by tensor names (constant folding renames them):
 * stem Conv [BN] Relu [MaxPool], then residual blocks, each ending in Add + Relu, whose main path is a chain of
 * Conv [BN] Relu … Conv [BN] and whose shortcut is the block input itself, a Conv [BN] of it (projection) or a
 * Slice/Pad chain (option A); then global average pooling and a Gemm (or MatMul + Add) classifier.
 */
import { ModelFormatError } from '../errors.js';
import type { OnnxGraph, OnnxNode } from './onnx.js';
import type { BatchNorm, SourceBlock, SourceConv, SourceResnet, Tensor } from './tensor.js';

const notResnet = (why: string): ModelFormatError =>
  new ModelFormatError('MODEL_NOT_RESNET', `This ONNX graph is not a ResNet resnet-edge can convert: ${why}.`);

/** Ops a torchvision or CIFAR ResNet export may contain (option-A shortcuts bring shape arithmetic for Pad). */
const ALLOWED = new Set(['Conv', 'BatchNormalization', 'Relu', 'Add', 'MaxPool', 'GlobalAveragePool', 'ReduceMean',
  'Flatten', 'Reshape', 'Gemm', 'MatMul', 'Pad', 'Slice', 'Constant', 'ConstantOfShape', 'Concat', 'Cast',
  'Transpose', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Identity', 'Mul', 'Sub', 'Div', 'Neg']);
/** Ops an option-A shortcut passes its data through (the first input); anything else breaks the shortcut. */
const SHORTCUT_OPS = new Set(['Slice', 'Pad', 'Identity']);

class Walker {
  private readonly consumers = new Map<string, OnnxNode[]>();
  private readonly producers = new Map<string, OnnxNode>();
  constructor(private readonly g: OnnxGraph) {
    for (const n of g.nodes) {
      if (!ALLOWED.has(n.opType)) throw notResnet(`it contains a ${n.opType} node`);
      for (const o of n.outputs) this.producers.set(o, n);
      for (const i of n.inputs) {
        const list = this.consumers.get(i);
        if (list) list.push(n); else this.consumers.set(i, [n]);
      }
    }
  }

  users(t: string): OnnxNode[] { return this.consumers.get(t) ?? []; }

  only(t: string, op: string | string[]): OnnxNode | undefined {
    const ops = Array.isArray(op) ? op : [op];
    const us = this.users(t).filter((n) => n.opType !== 'Shape');
    return us.length === 1 && ops.includes(us[0].opType) ? us[0] : undefined;
  }

  constant(name: string | undefined, what: string): Tensor {
    const t = name === undefined ? undefined : this.g.constants.get(name);
    if (!t) throw notResnet(`${what} is computed at run time, not stored as a constant`);
    return t;
  }

  /** A Conv node and the BatchNormalization right after it (if any): the convolution and its output tensor. */
  conv(node: OnnxNode, where: string): { conv: SourceConv; out: string } {
    const ints = (k: string, d: number[]) => node.attrs.get(k)?.ints.length ? node.attrs.get(k)!.ints : d;
    const weight = this.constant(node.inputs[1], `the weight of convolution ${node.name}`);
    if (weight.shape.length !== 4) throw notResnet(`convolution ${node.name} is not 2-D`);
    const [, , kh, kw] = weight.shape;
    const strides = ints('strides', [1, 1]), pads = ints('pads', [0, 0, 0, 0]);
    if ((node.attrs.get('group')?.i ?? 1) !== 1 || ints('dilations', [1, 1]).some((d) => d !== 1)) {
      throw notResnet(`convolution ${node.name} is grouped or dilated`);
    }
    if (kh !== kw || strides[0] !== strides[1] || pads.some((p) => p !== (kh - 1) >> 1) || (node.attrs.get('auto_pad')?.s ?? 'NOTSET') !== 'NOTSET') {
      throw notResnet(`convolution ${node.name} (kernel ${kh}×${kw}, strides [${strides}], pads [${pads}]) is not a square kernel with "same" padding`);
    }
    const conv: SourceConv = { weight, stride: strides[0], where };
    if (node.inputs[2]) conv.bias = this.constant(node.inputs[2], `the bias of ${node.name}`).data;
    let out = node.outputs[0];
    const bn = this.only(out, 'BatchNormalization');
    if (bn) {
      const [, scale, b, mean, variance] = bn.inputs.map((i, k) => (k === 0 ? undefined : this.constant(i, `BatchNormalization ${bn.name}`).data));
      conv.bn = { gamma: scale!, beta: b!, mean: mean!, variance: variance!, eps: bn.attrs.get('epsilon')?.f ?? 1e-5 } satisfies BatchNorm;
      out = bn.outputs[0];
    }
    return { conv, out };
  }

  /** Follows Conv→[BN]→Relu→Conv… from `x` until an Add; returns the convs, the Add and the tensor feeding it. */
  mainPath(first: OnnxNode, where: string): { convs: SourceConv[]; add: OnnxNode; into: string } {
    const convs: SourceConv[] = [];
    let node = first;
    for (;;) {
      const { conv, out } = this.conv(node, `${where}.conv${convs.length + 1}`);
      convs.push(conv);
      const add = this.only(out, 'Add');
      if (add) return { convs, add, into: out };
      const relu = this.only(out, 'Relu');
      const next = relu && this.only(relu.outputs[0], 'Conv');
      if (!next || convs.length > 3) throw notResnet(`after ${node.name} the residual branch does not continue with Relu → Conv or end in Add`);
      node = next;
    }
  }

  block(x: string, index: number): { block: SourceBlock; out: string } {
    const where = `block ${index}`;
    const convUsers = this.users(x).filter((n) => n.opType === 'Conv');
    if (convUsers.length < 1 || convUsers.length > 2) throw notResnet(`${where} does not start with one or two convolutions`);
    // With two convolutions of x, the projection shortcut is the one whose output goes straight into the Add.
    let main = convUsers[0], proj: OnnxNode | undefined;
    if (convUsers.length === 2) {
      const direct = convUsers.find((c) => this.only(this.conv(c, where).out, 'Add'));
      if (!direct) throw notResnet(`${where} has two convolutions but neither is a projection shortcut`);
      proj = direct;
      main = convUsers.find((c) => c !== direct)!;
    }
    const { convs, add, into } = this.mainPath(main, where);
    const other = add.inputs.find((i) => i !== into);
    const block: SourceBlock = { convs };
    if (proj) {
      const p = this.conv(proj, `${where}.downsample`);
      if (p.out !== other) throw notResnet(`${where}'s projection shortcut does not feed its Add`);
      block.shortcut = p.conv;
    } else if (other !== x && !this.reaches(other!, x)) {
      throw notResnet(`${where}'s shortcut does not come from the block input`);
    }
    const relu = this.only(add.outputs[0], 'Relu');
    if (!relu) throw notResnet(`${where} does not end in Add → Relu`);
    return { block, out: relu.outputs[0] };
  }

  /** Whether tensor `t` is `x` subsampled and zero-padded (option A): Slice/Pad on the data input only. */
  reaches(t: string, x: string, depth = 0): boolean {
    if (t === x) return true;
    const prod = this.producers.get(t);
    if (!prod || depth > 8 || !SHORTCUT_OPS.has(prod.opType)) return false;
    if (prod.opType === 'Pad' && (prod.attrs.get('mode')?.s ?? 'constant') !== 'constant') return false;
    return this.reaches(prod.inputs[0], x, depth + 1);
  }

  classifier(pooled: string): SourceResnet['fc'] {
    let t = pooled;
    for (let i = 0; i < 3; i++) {
      const n = this.only(t, ['Flatten', 'Reshape', 'Squeeze', 'Identity']);
      if (!n) break;
      t = n.outputs[0];
    }
    const gemm = this.only(t, 'Gemm');
    if (gemm) {
      const w = this.constant(gemm.inputs[1], 'the classifier weight');
      const bias = this.constant(gemm.inputs[2], 'the classifier bias').data;
      if ((gemm.attrs.get('alpha')?.f ?? 1) !== 1 || (gemm.attrs.get('beta')?.f ?? 1) !== 1 || gemm.attrs.get('transA')?.i) {
        throw notResnet('the classifier Gemm scales or transposes its input');
      }
      return { weight: gemm.attrs.get('transB')?.i ? w : transpose(w), bias };
    }
    const mm = this.only(t, 'MatMul');
    const add = mm && this.only(mm.outputs[0], 'Add');
    if (!mm || !add) throw notResnet('no fully-connected classifier (Gemm or MatMul + Add) after the pooling');
    const bias = this.constant(add.inputs.find((i) => i !== mm.outputs[0]), 'the classifier bias').data;
    return { weight: transpose(this.constant(mm.inputs[1], 'the classifier weight')), bias };
  }
}

function transpose(t: Tensor): Tensor {
  const [r, c] = t.shape;
  const data = new Float32Array(t.data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data };
}

/** Reads the ResNet out of a parsed ONNX graph. */
export function resnetFromOnnx(g: OnnxGraph): SourceResnet {
  const w = new Walker(g);
  if (g.inputs.length !== 1) throw notResnet(`it has ${g.inputs.length} inputs (a classifier has one image input)`);
  const stemNode = w.only(g.inputs[0], 'Conv');
  if (!stemNode) throw notResnet('the input does not go into a single convolution');
  const stem = w.conv(stemNode, 'stem');
  const relu = w.only(stem.out, 'Relu');
  if (!relu) throw notResnet('the stem convolution is not followed by Relu');
  let x = relu.outputs[0];
  const pool = w.only(x, 'MaxPool');
  if (pool) {
    const a = (k: string) => pool.attrs.get(k)?.ints.join() ?? '';
    if (a('kernel_shape') !== '3,3' || a('strides') !== '2,2' || a('pads') !== '1,1,1,1') throw notResnet('the stem max-pool is not 3×3, stride 2, padding 1');
    x = pool.outputs[0];
  }
  const blocks: SourceBlock[] = [];
  for (;;) {
    const gap = w.users(x).find((n) => n.opType === 'GlobalAveragePool' || n.opType === 'ReduceMean');
    if (gap) {
      if (blocks.length === 0) throw notResnet('there are no residual blocks');
      return { stem: stem.conv, maxPool: !!pool, blocks, fc: w.classifier(gap.outputs[0]) };
    }
    if (blocks.length >= 1000) throw notResnet('more than 1000 residual blocks');
    const b = w.block(x, blocks.length);
    blocks.push(b.block);
    x = b.out;
  }
}
