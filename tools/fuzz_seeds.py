#!/usr/bin/python3
"""Seed files for the fuzz tests (tests/fuzz.test.ts, pnpm fuzz): a CIFAR ResNet-8 (the smallest ResNet of the
paper's family, 78k parameters) with seeded weights, as a safetensors state dict and as two ONNX exports (BatchNorm
kept, opset 13; BatchNorm folded, opset 17). Small, so that tens of thousands of mutations parse in seconds.

Usage: /usr/bin/python3 tools/fuzz_seeds.py --out tests/.models/fuzz
"""
import argparse
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
    print(f'fuzz seeds written to {out}')


if __name__ == '__main__':
    main()
