/**
 * Encoded JPEG / PNG bytes -> RawImage with maintained codecs: @jsquash/jpeg (libjpeg-turbo's decoder
 * compiled to wasm: the same pixels as PIL) and fast-png (pure JS).
 */
import decodeJpegWasm, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { decode as decodePng } from 'fast-png';
import { jpegDecoderModule } from '#platform';
import { isNode } from '../env.js';
import { ImageError } from '../errors.js';
import type { RawImage } from '../preprocess.js';

/** Decoding refuses images above this many pixels. */
export const MAX_PIXELS = 100_000_000;

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

let jpegReady: Promise<void> | undefined;

/** In Node the codec's wasm is read from the package; browsers and bundlers fetch it beside the module. */
function readyJpeg(): Promise<void> {
  jpegReady ??= (async () => {
    const quiet = { print: () => {}, printErr: () => {} };
    if (isNode()) {
      // The typings only show init(options); the runtime also takes a precompiled module first.
      const initWithModule = initJpeg as unknown as (m: WebAssembly.Module, o: object) => Promise<void>;
      await initWithModule(await jpegDecoderModule(), quiet);
    } else {
      await initJpeg(quiet as object);
    }
  })();
  return jpegReady;
}

/** JPEG SOF marker dimensions, read before decoding so that huge images are refused cheaply. */
function jpegSize(bytes: Uint8Array): [number, number] | undefined {
  for (let i = 2; i + 9 < bytes.length;) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(bytes[i + 7] << 8) | bytes[i + 8], (bytes[i + 5] << 8) | bytes[i + 6]];
    }
    i += 2 + len;
  }
  return undefined;
}

async function fromJpeg(bytes: Uint8Array): Promise<RawImage> {
  const size = jpegSize(bytes);
  if (size && size[0] * size[1] > MAX_PIXELS) {
    throw new ImageError('IMAGE_INVALID', `The JPEG is ${size[0]}×${size[1]}, above the ${MAX_PIXELS / 1e6} megapixel limit; scale it down first.`);
  }
  await readyJpeg();
  const img = await decodeJpegWasm(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return { data: img.data, width: img.width, height: img.height, channels: 4 };
}

function fromPng(bytes: Uint8Array): RawImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && view.getUint32(16) * view.getUint32(20) > MAX_PIXELS) {
    throw new ImageError('IMAGE_INVALID', `The PNG is ${view.getUint32(16)}×${view.getUint32(20)}, above the ${MAX_PIXELS / 1e6} megapixel limit; scale it down first.`);
  }
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

/** Decodes JPEG or PNG bytes; anything else, or a damaged file, is an ImageError naming what was seen. */
export async function decodeImage(bytes: Uint8Array): Promise<RawImage> {
  const format = sniffFormat(bytes);
  if (!format) {
    throw new ImageError('IMAGE_UNSUPPORTED', `Not a JPEG or PNG image (${describe(bytes)}). Pass JPEG/PNG bytes or raw {data, width, height, channels} pixels.`);
  }
  let img: RawImage;
  try {
    img = format === 'jpeg' ? await fromJpeg(bytes) : fromPng(bytes);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('IMAGE_DECODE', `Could not decode the ${format.toUpperCase()} image (${describe(bytes)}): ${(e as Error).message}`, { cause: e });
  }
  if (img.width < 1 || img.height < 1 || img.data.length < img.width * img.height * img.channels) {
    throw new ImageError('IMAGE_DECODE', `The ${format.toUpperCase()} image decoded to ${img.width}×${img.height} with missing pixels; the file is damaged.`);
  }
  if (img.data.length !== img.width * img.height * img.channels) img = { ...img, data: img.data.subarray(0, img.width * img.height * img.channels) };
  return img;
}
