#!/usr/bin/python3
"""Images for the bad-image tests (tests/bad-images.test.ts), made with PIL from demos/assets/cat.png:
gray.jpg and its PIL decoding as RGB (gray-pil.png: the right answer's pixels), a CMYK JPEG, a truncated JPEG,
10000×10000 JPEG and PNG (grayscale, so that the files stay small), a PDF and an SVG.

Usage: /usr/bin/python3 tools/bad_images.py --out tests/.models/bad-images
"""
import argparse
import os

from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)  # noqa: E731
    cat = Image.open(os.path.join(ROOT, 'demos', 'assets', 'cat.png')).convert('RGB')
    cat.convert('L').save(p('gray.jpg'), quality=95)
    Image.open(p('gray.jpg')).convert('RGB').save(p('gray-pil.png'))
    cat.convert('CMYK').save(p('cmyk.jpg'), quality=95)
    whole = open(p('gray.jpg'), 'rb').read()
    open(p('truncated.jpg'), 'wb').write(whole[:len(whole) // 2])
    big = Image.new('L', (10000, 10000), 128)
    big.save(p('10000x10000.jpg'), quality=50)
    big.save(p('10000x10000.png'), optimize=False, compress_level=9)
    # A PDF and an SVG under image names, as users rename files.
    open(p('document.pdf.jpg'), 'wb').write(b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
    open(p('drawing.svg'), 'wb').write(b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>\n')
    print(f'bad images written to {out}')


if __name__ == '__main__':
    main()
