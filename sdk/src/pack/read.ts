import { PackError } from '../errors.js';
import { HEADER_BYTES, MAX_MANIFEST_BYTES, PACK_MAGIC, PACK_VERSION, align, type PackManifest } from './format.js';
import { sha256Hex } from './sha256.js';
import { validateManifest } from './validate.js';
import { checkPayloadValues } from './values.js';

/** A verified pack: its manifest, its payload, and the whole file (for integrity checks). */
export interface Pack { manifest: PackManifest; payload: Uint8Array; file: Uint8Array }

/** 'download': bytes arriving (totalBytes known once the manifest is read); 'verify': sha256 of the payload. */
export interface ReadProgress { phase: 'download' | 'verify'; loadedBytes: number; totalBytes: number | undefined }

const truncated = (what: string): PackError =>
  new PackError('PACK_TRUNCATED', `Pack is truncated: ${what}. Download or copy the file again.`);

/** Reads the fixed 16-byte header and returns the manifest length. */
function parseHeader(head: Uint8Array): number {
  if (head.length < HEADER_BYTES) throw truncated(`only ${head.length} bytes, the header alone is ${HEADER_BYTES}`);
  const magic = String.fromCharCode(...head.subarray(0, 8));
  if (magic !== PACK_MAGIC) {
    throw new PackError('PACK_INVALID', `Not a resnet-edge pack (the file starts with ${JSON.stringify(magic)}, expected "${PACK_MAGIC}"). Convert ONNX or safetensors weights with \`resnet-edge convert\` first.`);
  }
  const view = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  const version = view.getUint32(8, true);
  if (version !== PACK_VERSION) {
    throw new PackError('PACK_UNSUPPORTED', `Pack format version ${version} is not supported (this resnet-edge reads version ${PACK_VERSION}).`);
  }
  const manifestBytes = view.getUint32(12, true);
  if (manifestBytes === 0 || manifestBytes > MAX_MANIFEST_BYTES) {
    throw new PackError('PACK_INVALID', `Pack header declares a ${manifestBytes}-byte manifest; it must be 1 to ${MAX_MANIFEST_BYTES} bytes.`);
  }
  return manifestBytes;
}

function parseManifest(bytes: Uint8Array): PackManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new PackError('PACK_INVALID', `Pack manifest is not valid UTF-8 JSON (${(e as Error).message}).`, { cause: e });
  }
  return validateManifest(json as PackManifest);
}

/** Where the payload starts, given the manifest length. */
export const payloadOffset = (manifestBytes: number): number => align(HEADER_BYTES + manifestBytes);

async function checkDigest(manifest: PackManifest, payload: Uint8Array, onProgress?: (p: ReadProgress) => void): Promise<void> {
  onProgress?.({ phase: 'verify', loadedBytes: payload.length, totalBytes: payload.length });
  const got = await sha256Hex(payload);
  if (got !== manifest.payload.sha256) {
    throw new PackError('PACK_CORRUPT', `Pack payload is corrupted: its sha256 is ${got}, the manifest says ${manifest.payload.sha256}. Download or copy the file again.`);
  }
  checkPayloadValues(manifest, payload);
}

/** Parses and fully verifies a pack held in memory (size, manifest, sha256). */
export async function readPack(bytes: Uint8Array, onProgress?: (p: ReadProgress) => void): Promise<Pack> {
  const manifestBytes = parseHeader(bytes);
  const start = payloadOffset(manifestBytes);
  if (bytes.length < HEADER_BYTES + manifestBytes) truncatedAt(bytes.length, HEADER_BYTES + manifestBytes, 'manifest');
  const manifest = parseManifest(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes));
  const end = start + manifest.payload.bytes;
  if (bytes.length < end) truncatedAt(bytes.length, end, 'payload');
  if (bytes.length > end) {
    throw new PackError('PACK_OVERSIZE', `Pack has ${bytes.length - end} unexpected bytes after its payload (file is ${bytes.length} bytes, the manifest accounts for ${end}). The file was altered or two files were joined.`);
  }
  const payload = bytes.subarray(start, end);
  onProgress?.({ phase: 'download', loadedBytes: bytes.length, totalBytes: bytes.length });
  await checkDigest(manifest, payload, onProgress);
  return { manifest, payload, file: bytes };
}

function truncatedAt(have: number, need: number, part: string): never {
  throw truncated(`the file has ${have} bytes but its ${part} needs ${need}`);
}

/**
 * Reads a pack from a stream of chunks (fetch body, file stream) without ever holding more than the manifest
 * declares, nor much more than has arrived: the buffer grows by doubling (from 1 MiB) up to the declared size, so a
 * short file that claims a huge payload costs no more memory than its bytes.
 */
export async function readPackStream(
  chunks: AsyncIterable<Uint8Array>,
  onProgress?: (p: ReadProgress) => void,
  signal?: AbortSignal,
): Promise<Pack> {
  let head: Uint8Array = new Uint8Array(0);
  let manifest: PackManifest | undefined;
  let file: Uint8Array = new Uint8Array(0);
  let loaded = 0, total = 0;
  const append = (chunk: Uint8Array) => {
    if (loaded + chunk.length > total) throw overlong(total);
    if (loaded + chunk.length > file.length) file = grow(file, loaded, Math.min(total, Math.max(loaded + chunk.length, 2 * file.length, 1 << 20)));
    file.set(chunk, loaded);
    loaded += chunk.length;
  };
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    if (!manifest) {
      head = concat(head, chunk);
      loaded = head.length;
      if (head.length < HEADER_BYTES) continue;
      const mBytes = parseHeader(head);
      if (head.length < HEADER_BYTES + mBytes) continue;
      manifest = parseManifest(head.subarray(HEADER_BYTES, HEADER_BYTES + mBytes));
      total = payloadOffset(mBytes) + manifest.payload.bytes;
      loaded = 0;
      append(head);
    } else {
      append(chunk);
    }
    onProgress?.({ phase: 'download', loadedBytes: loaded, totalBytes: manifest ? total : undefined });
  }
  if (!manifest) throw truncated(`the stream ended after ${loaded} bytes, before the manifest was complete`);
  if (loaded < total) truncatedAt(loaded, total, 'payload');
  const payload = file.subarray(total - manifest.payload.bytes, total);
  await checkDigest(manifest, payload, onProgress);
  return { manifest, payload, file: file.subarray(0, total) };
}

function grow(file: Uint8Array, used: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(file.subarray(0, used));
  return out;
}

const overlong = (declared: number): PackError =>
  new PackError('PACK_OVERSIZE', `Pack is longer than its manifest declares (${declared} bytes); the file was altered or two files were joined.`);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
