#!/usr/bin/env python3
"""The peers' models for `pnpm bench`: the seeded ResNet-18, ResNet-50 and CIFAR ResNet-20 of tools/reference.py,
exported to ONNX (opset 13, BatchNorm folded) in float32, and an int8 QDQ copy of each built the way onnxruntime's
quantize_static builds one (static, calibrated): weights int8 symmetric per output channel, biases int32, every
activation tensor uint8 with a scale calibrated on photos, Q/DQ pairs around each. Also writes the resnet-edge
packs' sources (the state dicts). Run with Debian's python (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 tools/bench_models.py --out packages/bench/.models
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402
import safetensors_io  # noqa: E402

CALIBRATION = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg']


def prep(path, size):
    from PIL import Image
    from torchvision import transforms as T
    img = Image.open(path).convert('RGB')
    t = T.Compose([T.Resize(size * 8 // 7 if size > 32 else size), T.CenterCrop(size), T.ToTensor(), T.Normalize(R.MEAN, R.STD)])
    return t(img).unsqueeze(0)


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model, x):
    """Every tensor of a BatchNorm-folded ResNet graph, evaluated with torch ops (for calibration)."""
    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for n in model.graph.node:
        a, ins = attrs(n), [env[i] for i in n.input if i]
        if n.op_type == 'Conv':
            p = a.get('pads', [0, 0, 0, 0])
            y = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get('strides', [1, 1]), (p[0], p[1]))
        elif n.op_type == 'Relu':
            y = F.relu(ins[0])
        elif n.op_type == 'Add':
            y = ins[0] + ins[1]
        elif n.op_type == 'MaxPool':
            p = a.get('pads', [0, 0, 0, 0])
            y = F.max_pool2d(ins[0], a['kernel_shape'], a['strides'], (p[0], p[1]))
        elif n.op_type == 'GlobalAveragePool':
            y = ins[0].mean((2, 3), keepdim=True)
        elif n.op_type == 'Flatten':
            y = ins[0].flatten(1)
        elif n.op_type == 'Gemm':
            y = ins[0] @ (ins[1].T if a.get('transB', 0) else ins[1]) + ins[2]
        elif n.op_type == 'Constant':
            y = torch.from_numpy(numpy_helper.to_array(a['value']).copy())
        elif n.op_type == 'Slice':  # the option-A shortcut's subsampling
            y = ins[0].numpy()
            steps = ins[4].tolist() if len(ins) > 4 else [1] * len(ins[1])
            for st, en, ax, sp in zip(ins[1].tolist(), ins[2].tolist(), ins[3].tolist(), steps):
                big = y.shape[ax] + 1
                st, en = max(min(st, big), -big), (None if en < -big else max(min(en, big), -big))
                y = y[(slice(None),) * (ax % y.ndim) + (slice(st, en, sp),)]
            y = torch.from_numpy(np.ascontiguousarray(y))
        elif n.op_type == 'Reshape':
            y = ins[0].reshape([d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1].tolist())])
        elif n.op_type == 'ConstantOfShape':
            v = numpy_helper.to_array(a['value']) if 'value' in a else np.zeros(1, np.float32)
            y = torch.full(ins[0].tolist(), v.item(), dtype=torch.from_numpy(v).dtype)
        elif n.op_type == 'Concat':
            y = torch.cat(ins, a['axis'])
        elif n.op_type == 'Transpose':
            y = ins[0].permute(a['perm'])
        elif n.op_type == 'Cast':
            y = ins[0].to({TensorProto.INT64: torch.int64, TensorProto.FLOAT: torch.float32, TensorProto.INT32: torch.int32}[a['to']])
        elif n.op_type == 'Pad':  # onnx pads: all begins then all ends; F.pad: last dim first
            pads, r = ins[1].tolist(), ins[0].dim()
            y = F.pad(ins[0], [v for d in reversed(range(r)) for v in (pads[d], pads[d + r])], value=float(ins[2]) if len(ins) > 2 else 0.0)
        else:
            raise SystemExit(f'unexpected op {n.op_type}')
        env[n.output[0]] = y
    return env


def act_qparams(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255 or 1.0
    return np.float32(scale), np.uint8(round(-lo / scale))


def quantize(model, ranges):
    g = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    new_inits, nodes = [], []
    act_scale = {}
    # Q/DQ on every activation: the input and each node's output except the logits.
    quantized_ops = ('Conv', 'Relu', 'Add', 'MaxPool', 'GlobalAveragePool', 'Flatten')
    acts = [g.input[0].name] + [n.output[0] for n in g.node if n.op_type in quantized_ops and n.output[0] != g.output[0].name]
    rename = {}
    for t in acts:
        s, zp = act_qparams(*ranges[t])
        act_scale[t] = s
        new_inits += [numpy_helper.from_array(np.array(s, np.float32), t + '_s'), numpy_helper.from_array(np.array(zp, np.uint8), t + '_zp')]
        rename[t] = t + '_dq'
    qdq_after = {t: [helper.make_node('QuantizeLinear', [t, t + '_s', t + '_zp'], [t + '_q']),
                     helper.make_node('DequantizeLinear', [t + '_q', t + '_s', t + '_zp'], [t + '_dq'])] for t in acts}
    nodes += qdq_after[g.input[0].name]
    for n in g.node:
        ins = list(n.input)
        src = ins[0] if ins else None
        if n.op_type in ('Conv', 'Gemm'):
            w = inits[ins[1]]
            ws = np.maximum(np.abs(w.reshape(w.shape[0], -1)).max(1), 1e-12) / 127
            wq = np.clip(np.round(w / ws.reshape(-1, *[1] * (w.ndim - 1))), -127, 127).astype(np.int8)
            new_inits += [numpy_helper.from_array(wq, ins[1] + '_q'), numpy_helper.from_array(ws.astype(np.float32), ins[1] + '_s'),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int8), ins[1] + '_zp')]
            nodes.append(helper.make_node('DequantizeLinear', [ins[1] + '_q', ins[1] + '_s', ins[1] + '_zp'], [ins[1] + '_dq'], axis=0))
            bs = (act_scale[src] * ws).astype(np.float32)
            bq = np.round(inits[ins[2]] / bs).astype(np.int32)
            new_inits += [numpy_helper.from_array(bq, ins[2] + '_q'), numpy_helper.from_array(bs, ins[2] + '_s'),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int32), ins[2] + '_zp')]
            nodes.append(helper.make_node('DequantizeLinear', [ins[2] + '_q', ins[2] + '_s', ins[2] + '_zp'], [ins[2] + '_dq'], axis=0))
            ins[1], ins[2] = ins[1] + '_dq', ins[2] + '_dq'
        ins = [rename.get(i, i) if k == 0 or n.op_type == 'Add' else i for k, i in enumerate(ins)]
        nodes.append(helper.make_node(n.op_type, ins, list(n.output), name=n.name, **attrs(n)))
        if n.output[0] in qdq_after:
            nodes += qdq_after[n.output[0]]
    used = {i for n in nodes for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    graph = helper.make_graph(nodes, g.name, list(g.input), list(g.output), keep + new_inits)
    out = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='resnet-edge bench_models.py')
    onnx.checker.check_model(out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for name in ['resnet18', 'resnet50', 'cifar20']:
        build, seed, _, _ = R.MODELS[name]
        model = R.randomize(build(), seed).eval()
        cifar = name.startswith('cifar')
        size = 32 if cifar else 224
        safetensors_io.save(model.state_dict(), os.path.join(args.out, name + '.safetensors'), {'seed': seed})
        fp32 = os.path.join(args.out, name + '.fp32.onnx')
        torch.onnx.export(model, torch.zeros(1, 3, size, size), fp32, opset_version=13, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL, input_names=['input'], output_names=['logits'])
        m = onnx.load(fp32)
        ranges = {}
        for img in CALIBRATION:
            x = prep(os.path.join(R.SHARED, 'images', img), size)
            for t, v in run_graph(m, x).items():
                if not v.is_floating_point():
                    continue
                lo, hi = float(v.min()), float(v.max())
                ranges[t] = (min(lo, ranges.get(t, (0, 0))[0]), max(hi, ranges.get(t, (0, 0))[1]))
        with torch.no_grad():
            assert torch.allclose(run_graph(m, x)[m.graph.output[0].name], model(x), atol=1e-3), 'graph executor disagrees with torch'
        onnx.save(quantize(m, ranges), os.path.join(args.out, name + '.int8.onnx'))
        print(f'{name}: wrote {name}.fp32.onnx, {name}.int8.onnx, {name}.safetensors', flush=True)


if __name__ == '__main__':
    main()
