#!/usr/bin/env python3
"""The models of `pnpm bench:gpu`, made from seeds on the machine that runs the bench (nothing large travels), and
PyTorch's own timings on them: the bar a native runtime sets.

For each model: the seeded torchvision ResNet of tools/reference.py (randomized BatchNorm), written as
  <name>.safetensors      the state dict (resnet-edge's converter makes the int8 and float16 packs from it)
  <name>.fp32.onnx        the same network, BatchNorm folded, written node by node (no exporter involved)
  <name>.fp16.onnx        its float16 copy (Cast in, Cast out: the inputs and outputs stay float32)
  <name>.json             PyTorch fp32 (CPU) logits of the bench's fixed input (sdk-independent reference),
                          and PyTorch eager timings on CUDA (fp32, fp16; batch 1 and 10; median ms), peak memory
Usage: python3 tools/gpu_models.py --out DIR [--models resnet18,resnet50] [--size 224] [--rounds 50]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402
import safetensors_io  # noqa: E402


def bench_input(size):
    """The bench's fixed input, NHWC value i = sin(i * 0.37) * 1.8 (packages/bench/src/runners.ts), as NCHW."""
    i = np.arange(size * size * 3, dtype=np.float64)
    nhwc = (np.sin(i * 0.37) * 1.8).astype(np.float32).reshape(1, size, size, 3)
    return torch.from_numpy(nhwc).permute(0, 3, 1, 2).contiguous()


def folded(conv, bn):
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return (conv.weight * scale.view(-1, 1, 1, 1)).detach(), (bn.bias - bn.running_mean * scale).detach()


class Graph:
    """A growing ONNX graph of the ops a folded ResNet needs."""

    def __init__(self, dtype):
        self.nodes, self.inits, self.np = [], [], np.float16 if dtype == 'fp16' else np.float32
        self.count = 0

    def name(self, base):
        self.count += 1
        return f'{base}_{self.count}'

    def init(self, base, value):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(value.cpu().numpy().astype(self.np), n))
        return n

    def op(self, kind, inputs, **attrs):
        out = self.name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def conv(self, x, conv, bn, relu):
        w, b = folded(conv, bn)
        k, s, p = conv.kernel_size[0], conv.stride[0], conv.padding[0]
        y = self.op('Conv', [x, self.init('w', w), self.init('b', b)], kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
        return self.op('Relu', [y]) if relu else y


def to_onnx(model, size, dtype):
    g = Graph(dtype)
    x = g.op('Cast', ['input'], to=TensorProto.FLOAT16) if dtype == 'fp16' else 'input'
    x = g.conv(x, model.conv1, model.bn1, True)
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        for blk in layer:
            convs = [(blk.conv1, blk.bn1), (blk.conv2, blk.bn2)] + ([(blk.conv3, blk.bn3)] if hasattr(blk, 'conv3') else [])
            y = x
            for i, (c, bn) in enumerate(convs):
                y = g.conv(y, c, bn, i < len(convs) - 1)
            shortcut = g.conv(x, blk.downsample[0], blk.downsample[1], False) if blk.downsample is not None else x
            x = g.op('Relu', [g.op('Add', [y, shortcut])])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    x = g.op('Gemm', [x, g.init('fc_w', model.fc.weight.detach()), g.init('fc_b', model.fc.bias.detach())], transB=1)
    if dtype == 'fp16':
        x = g.op('Cast', [x], to=TensorProto.FLOAT)
    g.nodes[-1].output[0] = 'logits'
    classes = model.fc.out_features
    graph = helper.make_graph(g.nodes, f'resnet-{dtype}', [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 3, size, size])],
                              [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['N', classes])], g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='resnet-edge gpu_models.py')
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def median_ms(fn, rounds):
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def cuda_timings(model, size, rounds):
    """Eager PyTorch on CUDA (cuDNN autotuned, channels-last): forward + copy of the logits to the host."""
    torch.backends.cudnn.benchmark = True
    out = {'device': torch.cuda.get_device_name(0), 'torch': torch.__version__}
    for dtype, tdt in (('fp32', torch.float32), ('fp16', torch.float16)):
        m = model.to('cuda', tdt).to(memory_format=torch.channels_last)
        for batch in (1, 10):
            x = torch.randn(batch, 3, size, size, device='cuda', dtype=tdt).to(memory_format=torch.channels_last)
            torch.cuda.reset_peak_memory_stats()
            with torch.no_grad():
                out[f'{dtype}_b{batch}_ms'] = median_ms(lambda: m(x).float().cpu(), rounds)
            out[f'{dtype}_b{batch}_peak_bytes'] = torch.cuda.max_memory_allocated()
    model.to('cpu', torch.float32).to(memory_format=torch.contiguous_format)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--models', default='resnet18,resnet50')
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--rounds', type=int, default=50)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.models.split(','):
        build, seed, _, _ = R.MODELS[name]
        model = R.randomize(build(), seed).eval()
        safetensors_io.save(model.state_dict(), os.path.join(args.out, name + '.safetensors'), {'seed': seed})
        for dtype in ('fp32', 'fp16'):
            onnx.save(to_onnx(model, args.size, dtype), os.path.join(args.out, f'{name}.{dtype}.onnx'))
        with torch.no_grad():
            logits = model(bench_input(args.size))[0]
        info = {'name': name, 'seed': seed, 'size': args.size, 'logits': logits.tolist(),
                'probabilities': torch.softmax(logits.double(), 0).tolist()}
        if torch.cuda.is_available():
            info['cuda'] = cuda_timings(model, args.size, args.rounds)
        with open(os.path.join(args.out, name + '.json'), 'w') as f:
            json.dump(info, f)
        print(f'{name}: models and reference written' + (f"; CUDA fp32 b1 {info['cuda']['fp32_b1_ms']:.2f} ms" if 'cuda' in info else ''), flush=True)


if __name__ == '__main__':
    main()
