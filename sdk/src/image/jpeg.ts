/**
 * resnet-edge's JPEG decoder: libjpeg-turbo 2.1.5's (the library PIL links on Debian 12), compiled to WebAssembly by
 * tools/build-jpeg.mjs behind sdk/jpeg/decode.c, so that its pixels are PIL's. Its module is embedded (a chunk of
 * its own, imported on the first JPEG). The pixels are handed out where the decoder wrote them, without a copy: the
 * caller reads them and releases them, and only then is that instance's memory used again (touching fresh memory is
 * what costs most: a 12 MP decode takes ~60 ms in a warm instance, ~150 in a new one, and a copy of its pixels ~100).
 * One released instance is kept for the next decode unless one big image grew it past KEEP_BYTES.
 */
import type { RawImage } from './raw.js';
import { resizeWindow, taps, type ResizeWindow } from './resample.js';

/**
 * Decoded pixels that may live in a decoder's memory: read them, then release() them (after which they may change).
 * resizeWindow, where present, resizes `image` inside the decoder (SIMD128, the same bytes as resample.ts).
 */
export interface Pixels { image: RawImage; borrowed: boolean; release(): void; resizeWindow?: ResizeWindow }

interface Decoder {
  memory: WebAssembly.Memory;
  begin(length: number): number;
  alloc(length: number): number;
  resample_rows(data: number, width: number, channels: number, rowFirst: number, rows: number, start: number, count: number, k: number, ksize: number, cw: number, out: number): void;
  resample_columns(rows: number, stride: number, rowFirst: number, outRows: number, start: number, count: number, k: number, ksize: number, out: number): void;
  decode(at: number, length: number, denom: number): number;
  width(): number;
  height(): number;
  channels(): number;
}

/** libjpeg's DCT-domain downscaling factors (scale_num 1, scale_denom 1/2/4/8). */
export type JpegScale = 1 | 2 | 4 | 8;

/** A failure inside libjpeg, with its own message (decode.ts wraps it into an ImageError). */
export class JpegFailure extends Error {}

/** Decoders whose memory grew past this are dropped after their decode, so that one big photo is not kept for good. */
const KEEP_BYTES = 64 << 20;

let compiled: Promise<WebAssembly.Module> | undefined;
/** A decoder whose pixels nobody is reading. */
let idle: Decoder | undefined;

const cString = (mem: WebAssembly.Memory, at: number): string => {
  const bytes = new Uint8Array(mem.buffer, at);
  return new TextDecoder('latin1').decode(bytes.subarray(0, bytes.indexOf(0)));
};

/** libjpeg's printf-style message (%d, %u, %x, %s with widths), its parameters read from msg_parm. */
function formatMessage(mem: WebAssembly.Memory, format: string, params: number): string {
  const ints = params ? new Int32Array(mem.buffer, params, 8) : new Int32Array(8);
  let next = 0;
  return format.replace(/%(0?)(\d*)l?([dusxX%])/g, (_, zero: string, width: string, kind: string) => {
    if (kind === '%') return '%';
    const text = kind === 's' ? cString(mem, params) : kind === 'x' || kind === 'X' ? (ints[next++] >>> 0).toString(16) : String(kind === 'u' ? ints[next++] >>> 0 : ints[next++]);
    return text.padStart(Number(width || 0), zero ? '0' : ' ');
  });
}

async function takeDecoder(): Promise<Decoder> {
  if (idle) {
    const d = idle;
    idle = undefined;
    return d;
  }
  compiled ??= import('./jpeg-wasm.generated.js').then(({ JPEG_WASM }) => WebAssembly.compile(Uint8Array.from(atob(JPEG_WASM), (c) => c.charCodeAt(0))));
  let memory: WebAssembly.Memory | undefined;
  const fail = (format: number, params: number): never => {
    throw new JpegFailure(formatMessage(memory!, cString(memory!, format), params));
  };
  const d = (await WebAssembly.instantiate(await compiled, { env: { fail } })).exports as unknown as Decoder;
  memory = d.memory;
  return d;
}

function giveBack(d: Decoder): void {
  if (d.memory.buffer.byteLength <= KEEP_BYTES) idle = d;
}

/** Decodes a JPEG to RGB (or gray) at 1/scale of its size, into the decoder's memory; a damaged file throws JpegFailure. */
export async function decodeJpeg(bytes: Uint8Array, scale: JpegScale = 1): Promise<Pixels> {
  const d = await takeDecoder();
  let image: RawImage;
  try {
    const at = d.begin(bytes.length);
    if (!at) throw new JpegFailure(`no memory for the file's ${bytes.length} bytes`);
    new Uint8Array(d.memory.buffer, at, bytes.length).set(bytes);
    const pixels = d.decode(at, bytes.length, scale);
    const width = d.width(), height = d.height(), channels = d.channels() as 1 | 3;
    image = { data: new Uint8Array(d.memory.buffer, pixels, width * height * channels), width, height, channels };
  } catch (e) {
    giveBack(d);
    throw e;
  }
  let released = false;
  return {
    image, borrowed: true, resizeWindow: simdResize(d, image),
    release: () => { if (!released) { released = true; giveBack(d); } },
  };
}

/**
 * resizeWindow for `image` (pixels in d's memory), run by the decoder's resample_rows/resample_columns on taps from
 * resample.ts; another image, or a side that keeps its size, goes to resample.ts itself.
 */
function simdResize(d: Decoder, image: RawImage): ResizeWindow {
  const pixelsAt = image.data.byteOffset, length = image.data.length;
  return (img, outW, outH, left, top, cw, ch) => {
    if (img !== image || outW === img.width || outH === img.height) return resizeWindow(img, outW, outH, left, top, cw, ch);
    const kh = taps(img.width, outW, left, cw), kv = taps(img.height, outH, top, ch);
    const rowFirst = kv.start[0], rows = kv.start[ch - 1] + kv.count[ch - 1] - rowFirst, stride = cw * 3;
    const at = [kh.start, kh.count, kh.k, kv.start, kv.count, kv.k].map((a) => d.alloc(a.byteLength));
    const tmp = d.alloc(rows * stride), out = d.alloc(ch * stride);
    // The allocations may have grown the memory, which detaches the views made before.
    image.data = new Uint8Array(d.memory.buffer, pixelsAt, length);
    if (!tmp || !out || at.includes(0)) return resizeWindow(img, outW, outH, left, top, cw, ch);
    [kh.start, kh.count, kh.k, kv.start, kv.count, kv.k].forEach((a, i) => new Int32Array(d.memory.buffer, at[i], a.length).set(a));
    d.resample_rows(pixelsAt, img.width, img.channels, rowFirst, rows, at[0], at[1], at[2], kh.ksize, cw, tmp);
    d.resample_columns(tmp, stride, rowFirst, ch, at[3], at[4], at[5], kv.ksize, out);
    return new Uint8Array(d.memory.buffer, out, ch * stride).slice();
  };
}

/**
 * The DCT scale that PIL's draft() picks for a JPEG whose shorter side only needs `minSide` pixels: the largest of
 * 8, 4, 2, 1 that keeps the shorter side at least that long.
 */
export function draftScale(width: number, height: number, minSide: number): JpegScale {
  const short = Math.min(width, height);
  for (const s of [8, 4, 2] as const) if (Math.floor(short / s) >= minSide) return s;
  return 1;
}
