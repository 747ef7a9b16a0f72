/** EXIF orientation (read with exifr) applied to decoded pixels, so photos are classified the way they are shown. */
import { orientation as readOrientation } from 'exifr/dist/mini.esm.mjs';
import type { RawImage } from './raw.js';

/** The EXIF orientation of JPEG bytes: 1 (upright) when absent or unreadable. */
export async function exifOrientation(bytes: Uint8Array): Promise<number> {
  try {
    const o = await readOrientation(bytes);
    return typeof o === 'number' && Number.isInteger(o) && o >= 1 && o <= 8 ? o : 1;
  } catch {
    return 1;
  }
}

/**
 * Returns the image as it should be displayed. Orientation n means the stored pixels must be
 * 2: mirrored, 3: rotated 180°, 4: flipped vertically, 5: transposed, 6: rotated 90° clockwise,
 * 7: transversed, 8: rotated 90° counter-clockwise (as PIL's ImageOps.exif_transpose).
 */
export function applyOrientation(img: RawImage, o: number): RawImage {
  if (o <= 1 || o > 8) return img;
  const { width: w, height: h, channels: ch, data } = img;
  const swap = o >= 5;
  const W = swap ? h : w, H = swap ? w : h;
  const out = new Uint8Array(w * h * ch);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // (x, y) in the displayed image -> (sx, sy) in the stored one.
      let sx: number, sy: number;
      switch (o) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        default: sx = w - 1 - y; sy = x; break; // 8
      }
      const s = (sy * w + sx) * ch, d = (y * W + x) * ch;
      for (let c = 0; c < ch; c++) out[d + c] = data[s + c];
    }
  }
  return { data: out, width: W, height: H, channels: ch };
}
