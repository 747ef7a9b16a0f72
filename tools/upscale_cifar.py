#!/usr/bin/env python3
"""Photo-sized copies of CIFAR-10 test JPEGs, for tools/fast-deviation.ts: each 32x32 image upscaled with PIL's
bicubic filter to --size (default 256) and saved as JPEG quality 90 (4:2:0), the tree kept (class/NNNN.jpg).

    /usr/bin/python3 tools/upscale_cifar.py --src DIR --out DIR [--size 256]
"""
import argparse
import os

from PIL import Image


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--size', type=int, default=256)
    a = ap.parse_args()
    for cls in sorted(os.listdir(a.src)):
        os.makedirs(os.path.join(a.out, cls), exist_ok=True)
        for name in sorted(os.listdir(os.path.join(a.src, cls))):
            img = Image.open(os.path.join(a.src, cls, name)).convert('RGB')
            img.resize((a.size, a.size), Image.BICUBIC).save(os.path.join(a.out, cls, name), quality=90)


if __name__ == '__main__':
    main()
