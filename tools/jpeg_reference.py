#!/usr/bin/env python3
"""PIL's JPEG decoding, for tests/jpeg.test.ts: writes JPEG variants of the given photos (progressive, grayscale,
4:4:4, 4:2:2, odd sizes, restart markers, arithmetic coding is not writable by PIL) into --out, and prints JSON: per
file, per draft() scale (1, 2, 4, 8), the size PIL decodes and the SHA-256 of its pixels (mode RGB, or L for gray).

    /usr/bin/python3 tools/jpeg_reference.py --out DIR photo.jpg ...
"""
import argparse
import hashlib
import json
import os

from PIL import Image


def variants(photo, out):
    base = os.path.splitext(os.path.basename(photo))[0]
    img = Image.open(photo).convert('RGB')
    odd = img.crop((0, 0, img.width - 3, img.height - 5))
    made = {
        f'{base}.jpg': None,
        f'{base}-progressive.jpg': dict(image=img, quality=85, progressive=True),
        f'{base}-gray.jpg': dict(image=img.convert('L'), quality=90),
        f'{base}-444.jpg': dict(image=img, quality=95, subsampling=0),
        f'{base}-422.jpg': dict(image=img, quality=80, subsampling=1),
        f'{base}-odd.jpg': dict(image=odd, quality=75),
        f'{base}-restarts.jpg': dict(image=odd, quality=90, restart_marker_blocks=3),
    }
    paths = {}
    for name, spec in made.items():
        path = os.path.join(out, name)
        if spec is None:
            path = photo
        else:
            spec = dict(spec)
            spec.pop('image').save(path, **spec)
        paths[name] = path
    return paths


def decoded(path, scale):
    img = Image.open(path)
    if scale > 1:
        img.draft(img.mode, (img.width // scale, img.height // scale))
        assert img.decoderconfig[0] == scale, (path, scale, img.decoderconfig)
    img.load()
    return {'size': list(img.size), 'mode': img.mode, 'sha256': hashlib.sha256(img.tobytes()).hexdigest()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('photos', nargs='+')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    result = {}
    for photo in args.photos:
        for name, path in variants(photo, args.out).items():
            result[name] = {'path': path, 'scales': {s: decoded(path, s) for s in (1, 2, 4, 8)}}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
