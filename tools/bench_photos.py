#!/usr/bin/env python3
"""The photos of `pnpm bench`'s end-to-end rows, and PIL + torchvision + PyTorch's time on them.

    make --out DIR                 photo-12mp.jpg (4032x3024, JPEG q90) and photo-2mp.jpg (1632x1224): a smooth
                                   random scene with sensor-like noise, the same bytes on every machine with this numpy
    time --dir DIR --rounds N      JSON on stdout: per photo, {exact, draft}: the median ms of decode (Image.open +
                                   convert('RGB'); draft: after draft('RGB', (256, 256)), libjpeg's DCT-domain
                                   downscaling, as PIL's thumbnail uses), preprocess (Resize(256), CenterCrop(224),
                                   ToTensor, Normalize), the network (the seeded ResNet-50 of DIR/resnet50.safetensors,
                                   float32, 1 thread) and the whole file-to-top-5

Run with Debian's python (python3-torch, python3-torchvision).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

PHOTOS = {'photo-12mp.jpg': (4032, 3024), 'photo-2mp.jpg': (1632, 1224)}
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def make(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2026)
    scene = Image.fromarray((rng.random((189, 252, 3)) * 255).astype(np.uint8))
    for name, size in PHOTOS.items():
        smooth = np.asarray(scene.resize(size, Image.BICUBIC)).astype(np.int16)
        noisy = np.clip(smooth + rng.integers(-3, 4, smooth.shape), 0, 255).astype(np.uint8)
        Image.fromarray(noisy).save(os.path.join(out, name), quality=90)


def median_ms(times):
    return float(np.median(times) * 1000)


def time_all(folder, rounds):
    torch.set_num_threads(1)
    model = torchvision.models.resnet50()
    model.load_state_dict(safetensors_io.load(os.path.join(folder, 'resnet50.safetensors')))
    model.eval()
    pre = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)])

    def opened(path, draft):
        img = Image.open(path)
        if draft:
            img.draft('RGB', (256, 256))
        return img.convert('RGB')

    out = {}
    for name in PHOTOS:
        path = os.path.join(folder, name)
        out[name] = {}
        for mode, draft in [('exact', False), ('draft', True)]:
            t = {k: [] for k in ['decode', 'preprocess', 'network', 'total']}
            for _ in range(rounds + 1):
                with torch.no_grad():
                    t0 = time.perf_counter()
                    img = opened(path, draft)
                    t1 = time.perf_counter()
                    x = pre(img).unsqueeze(0)
                    t2 = time.perf_counter()
                    torch.topk(torch.softmax(model(x), 1), 5)
                    t3 = time.perf_counter()
                for k, v in zip(t, [t1 - t0, t2 - t1, t3 - t2, t3 - t0]):
                    t[k].append(v)
            out[name][mode] = {k: median_ms(v[1:]) for k, v in t.items()}  # the first round warms up
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=['make', 'time'])
    ap.add_argument('--out')
    ap.add_argument('--dir')
    ap.add_argument('--rounds', type=int, default=5)
    a = ap.parse_args()
    if a.command == 'make':
        make(a.out)
    else:
        print(json.dumps(time_all(a.dir, a.rounds)))


if __name__ == '__main__':
    main()
