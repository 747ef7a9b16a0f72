#!/usr/bin/python3
"""Seed files for the fuzz tests (tests/fuzz.test.ts, pnpm fuzz): a CIFAR ResNet-8 (the smallest ResNet of the
paper's family, 78k parameters) with seeded weights, as a safetensors state dict, as two ONNX exports (BatchNorm
kept, opset 13; BatchNorm folded, opset 17) and as two PyTorch checkpoints (zip format, a bare state dict; legacy
format, wrapped as {'state_dict': {'module.' + key: …}}). Small, so that tens of thousands of mutations parse in seconds.

Usage: /usr/bin/python3 tools/fuzz_seeds.py --out tests/.models/fuzz
"""
import argparse
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from cifar_resnet import CifarResNet  # noqa: E402
from reference import randomize  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    model = randomize(CifarResNet(8), 8)
    x = torch.zeros(1, 3, 32, 32)
    safetensors_io.save(model.state_dict(), os.path.join(out, 'cifar8.safetensors'), {'seed': '8'})
    for name, opset, fold in (('cifar8-bn.onnx', 13, False), ('cifar8-folded.onnx', 17, True)):
        mode = torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE
        torch.onnx.export(model, x, os.path.join(out, name), opset_version=opset, do_constant_folding=fold,
                          training=mode, input_names=['input'], output_names=['logits'])
    sd = model.state_dict()
    torch.save(sd, os.path.join(out, 'cifar8.zip.pth'))
    wrapped = {'state_dict': collections.OrderedDict(('module.' + k, v) for k, v in sd.items()), 'best_prec1': 80.5}
    torch.save(wrapped, os.path.join(out, 'cifar8.legacy.pth'), _use_new_zipfile_serialization=False)
    print(f'fuzz seeds written to {out}')


if __name__ == '__main__':
    main()
