/**
 * Encoded JPEG / PNG bytes -> RawImage: libjpeg-turbo's decoder in wasm (./jpeg.ts: the same pixels as PIL) and
 * fast-png (pure JS).
 */
import { decode as decodePng } from 'fast-png';
import { ImageError } from '../errors.js';
import { decodeJpeg, draftScale, type Pixels } from './jpeg.js';
import type { RawImage } from './raw.js';
import { checkPixelCount } from './limits.js';

export type ImageFormat = 'jpeg' | 'png';

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  return undefined;
}

function describe(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 8)).replace(/[^\x20-\x7e]/g, '.');
  return `${bytes.length} bytes starting with "${head}"`;
}

interface JpegHeader { width: number; height: number; components: number; scanAt: number }

/** The JPEG's frame (SOF: size, colour components) and where its first scan starts, read from the marker segments. */
function jpegHeader(bytes: Uint8Array): Partial<JpegHeader> {
  const out: Partial<JpegHeader> = {};
  for (let i = 2; i + 9 < bytes.length;) {
    if (bytes[i] !== 0xff) return out;
    const marker = bytes[i + 1];
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      Object.assign(out, { width: (bytes[i + 7] << 8) | bytes[i + 8], height: (bytes[i + 5] << 8) | bytes[i + 6], components: bytes[i + 9] });
    }
    if (marker === 0xda) return { ...out, scanAt: i };
    i += 2 + len;
  }
  return out;
}

/** Whether an end-of-image marker follows the first scan (entropy-coded data cannot contain FF D9). */
function hasEnd(bytes: Uint8Array, scanAt: number): boolean {
  for (let i = bytes.length - 2; i > scanAt; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/** `minSide`: decode at the smallest DCT scale (1/2, 1/4, 1/8) whose shorter side is still that long, as PIL's draft(). */
async function fromJpeg(bytes: Uint8Array, minSide?: number): Promise<Pixels> {
  const h = jpegHeader(bytes);
  if (h.width !== undefined) checkPixelCount(h.width, h.height!, 'The JPEG');
  if (h.components === 4) {
    throw new ImageError('IMAGE_UNSUPPORTED', 'This is a CMYK JPEG (4 colour components, from a print workflow); resnet-edge reads RGB and grayscale JPEGs. Save it as RGB first.');
  }
  if (h.scanAt === undefined || !hasEnd(bytes, h.scanAt)) {
    throw new ImageError('IMAGE_DECODE', `The JPEG is truncated: ${h.scanAt === undefined ? 'it ends before its image data' : 'its image data has no end marker'} (${bytes.length} bytes). Download or copy it again.`);
  }
  const scale = minSide && h.width ? draftScale(h.width, h.height!, minSide) : 1;
  return decodeJpeg(bytes, scale); // libjpeg's own failures are wrapped by decodeImage
}

function fromPng(bytes: Uint8Array): RawImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24) checkPixelCount(view.getUint32(16), view.getUint32(20), 'The PNG');
  const png = decodePng(bytes);
  const { width, height } = png;
  let channels = png.channels;
  let data: Uint8Array;
  if (png.palette) {
    const pal = png.palette, idx = png.data;
    channels = pal[0]?.length === 4 ? 4 : 3;
    data = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) {
      const entry = pal[idx[i]] ?? [0, 0, 0, 255];
      for (let c = 0; c < channels; c++) data[i * channels + c] = entry[c];
    }
  } else if (png.depth === 16) {
    data = Uint8Array.from(png.data as Uint16Array, (v) => v >> 8);
  } else if (png.depth < 8) {
    const max = 2 ** png.depth - 1;
    data = Uint8Array.from(png.data, (v) => Math.round((v * 255) / max));
  } else {
    data = png.data as Uint8Array;
  }
  if (channels === 2) { // gray + alpha -> gray
    const gray = new Uint8Array(width * height);
    for (let i = 0; i < gray.length; i++) gray[i] = data[i * 2];
    return { data: gray, width, height, channels: 1 };
  }
  return { data, width, height, channels: channels as 1 | 3 | 4 };
}

/**
 * Decodes JPEG or PNG bytes; anything else, or a damaged file, is an ImageError naming what was seen. `minSide`
 * (preprocess 'fast') lets a large JPEG be decoded at a DCT scale whose shorter side keeps that many pixels. A JPEG's
 * pixels are borrowed from the decoder (see jpeg.ts): release them once read.
 */
export async function decodeImage(bytes: Uint8Array, format = sniffFormat(bytes), minSide?: number): Promise<Pixels> {
  if (!format) {
    const svg = /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(new TextDecoder('latin1').decode(bytes.subarray(0, 256)));
    throw new ImageError('IMAGE_UNSUPPORTED', svg
      ? 'This is an SVG (a vector drawing, not pixels): draw it at the size you want onto a canvas (or load it into an <img>) and pass that.'
      : `Not a JPEG or PNG image (${describe(bytes)}). Pass JPEG/PNG bytes or raw {data, width, height, channels} pixels.`);
  }
  let pixels: Pixels;
  try {
    pixels = format === 'jpeg' ? await fromJpeg(bytes, minSide) : { image: fromPng(bytes), borrowed: false, release: () => {} };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('IMAGE_DECODE', `Could not decode the ${format.toUpperCase()} image (${describe(bytes)}): ${(e as Error).message}`, { cause: e });
  }
  const img = pixels.image, size = img.width * img.height * img.channels;
  if (img.width < 1 || img.height < 1 || img.data.length < size) {
    pixels.release();
    throw new ImageError('IMAGE_DECODE', `The ${format.toUpperCase()} image decoded to ${img.width}×${img.height} with missing pixels; the file is damaged.`);
  }
  if (img.data.length !== size) pixels.image = { ...img, data: img.data.subarray(0, size) };
  return pixels;
}
