import { PackError } from '../errors.js';
import { HEADER_BYTES, MAX_MANIFEST_BYTES, PACK_MAGIC, PACK_VERSION, align, type PackManifest } from './format.js';
import { sha256Hex } from './sha256.js';
import { validateManifest } from './validate.js';

export interface Pack { manifest: PackManifest; payload: Uint8Array }

export interface ReadProgress { loadedBytes: number; totalBytes: number | undefined }

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

async function checkDigest(manifest: PackManifest, payload: Uint8Array): Promise<void> {
  const got = await sha256Hex(payload);
  if (got !== manifest.payload.sha256) {
    throw new PackError('PACK_CORRUPT', `Pack payload is corrupted: its sha256 is ${got}, the manifest says ${manifest.payload.sha256}. Download or copy the file again.`);
  }
}

/** Parses and fully verifies a pack held in memory (size, manifest, sha256). */
export async function readPack(bytes: Uint8Array): Promise<Pack> {
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
  await checkDigest(manifest, payload);
  return { manifest, payload };
}

function truncatedAt(have: number, need: number, part: string): never {
  throw truncated(`the file has ${have} bytes but its ${part} needs ${need}`);
}

/**
 * Reads a pack from a stream of chunks (fetch body, file stream) without ever holding more than the
 * manifest declares: the payload buffer is allocated once, at the validated declared size.
 */
export async function readPackStream(
  chunks: AsyncIterable<Uint8Array>,
  onProgress?: (p: ReadProgress) => void,
): Promise<Pack> {
  let head: Uint8Array = new Uint8Array(0);
  let manifest: PackManifest | undefined;
  let payload: Uint8Array = new Uint8Array(0);
  let start = 0, loaded = 0, total: number | undefined;
  for await (const chunk of chunks) {
    let at = loaded;      // file position of chunk[0]
    let c = chunk;
    loaded += chunk.length;
    if (!manifest) {
      head = concat(head, chunk);
      if (head.length < HEADER_BYTES) continue;
      const mBytes = parseHeader(head);
      if (head.length < HEADER_BYTES + mBytes) continue;
      manifest = parseManifest(head.subarray(HEADER_BYTES, HEADER_BYTES + mBytes));
      start = payloadOffset(mBytes);
      total = start + manifest.payload.bytes;
      payload = new Uint8Array(manifest.payload.bytes);
      c = head;
      at = 0;
    }
    if (loaded > total!) {
      throw new PackError('PACK_OVERSIZE', `Pack is longer than its manifest declares (${total} bytes); the file was altered or two files were joined.`);
    }
    const from = Math.max(0, start - at);
    if (from < c.length) payload.set(c.subarray(from), at + from - start);
    onProgress?.({ loadedBytes: loaded, totalBytes: total });
  }
  if (!manifest) throw truncated(`the stream ended after ${loaded} bytes, before the manifest was complete`);
  if (loaded < total!) truncatedAt(loaded, total!, 'payload');
  await checkDigest(manifest, payload);
  return { manifest, payload };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
