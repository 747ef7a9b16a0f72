/**
 * resnet-edge's JPEG decoder: libjpeg-turbo 2.1.5's (the library PIL links on Debian 12), compiled to WebAssembly by
 * tools/build-jpeg.mjs behind sdk/jpeg/decode.c, so that its pixels are PIL's. Its module is embedded (a chunk of
 * its own, imported on the first JPEG) and instantiated once; a large image's memory is let go after its decode.
 */
import type { RawImage } from './raw.js';

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
let current: Decoder | undefined;

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

async function decoder(): Promise<Decoder> {
  if (current) return current;
  compiled ??= import('./jpeg-wasm.generated.js').then(({ JPEG_WASM }) => WebAssembly.compile(Uint8Array.from(atob(JPEG_WASM), (c) => c.charCodeAt(0))));
  let memory: WebAssembly.Memory | undefined;
  const fail = (format: number, params: number): never => {
    throw new JpegFailure(formatMessage(memory!, cString(memory!, format), params));
  };
  const instance = await WebAssembly.instantiate(await compiled, { env: { fail } });
  current ??= instance.exports as unknown as Decoder;
  memory = current.memory;
  return current;
}

/** Decodes a JPEG to RGB (or gray) at 1/scale of its size; a damaged file throws JpegFailure. */
export async function decodeJpeg(bytes: Uint8Array, scale: JpegScale = 1): Promise<RawImage> {
  const d = await decoder();
  try {
    const at = d.begin(bytes.length);
    if (!at) throw new JpegFailure(`no memory for the file's ${bytes.length} bytes`);
    new Uint8Array(d.memory.buffer, at, bytes.length).set(bytes);
    const pixels = d.decode(at, bytes.length, scale);
    const width = d.width(), height = d.height(), channels = d.channels() as 1 | 3;
    return { data: new Uint8Array(d.memory.buffer, pixels, width * height * channels).slice(), width, height, channels };
  } finally {
    if (d.memory.buffer.byteLength > KEEP_BYTES && current === d) current = undefined;
  }
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
