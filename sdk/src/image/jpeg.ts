/**
 * resnet-edge's JPEG decoder: libjpeg-turbo 2.1.5's (the library PIL links on Debian 12), compiled to WebAssembly by
 * tools/build-jpeg.mjs behind sdk/jpeg/decode.c, so that its pixels are PIL's. Its module is embedded (a chunk of
 * its own, imported on the first JPEG). The pixels are handed out where the decoder wrote them, without a copy: the
 * caller reads them and releases them, and only then is that instance's memory used again (touching fresh memory is
 * what costs most: a 12 MP decode takes ~60 ms in a warm instance, ~150 in a new one, and a copy of its pixels ~100).
 * One released instance is kept for the next decode unless one big image grew it past KEEP_BYTES.
 */
import type { RawImage } from './raw.js';

/** Decoded pixels that may live in a decoder's memory: read them, then release() them (after which they may change). */
export interface Pixels { image: RawImage; borrowed: boolean; release(): void }

interface Decoder {
  memory: WebAssembly.Memory;
  begin(length: number): number;
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
  return { image, borrowed: true, release: () => { if (!released) { released = true; giveBack(d); } } };
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
