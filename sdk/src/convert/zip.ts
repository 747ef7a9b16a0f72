/**
 * The entries of a zip archive as written by torch.save (PyTorch ≥ 1.6): stored (uncompressed) entries found through
 * the central directory. Every offset and size is checked against the file; nothing is decompressed or executed.
 */
import { ModelFormatError } from '../errors.js';

const bad = (what: string) => new ModelFormatError('MODEL_FORMAT', `Not a readable PyTorch zip checkpoint: ${what}.`);
const MAX_ENTRIES = 100_000;

export const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Name -> the entry's bytes (a view into `file`). */
export function readZip(file: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
  let eocd = -1;
  for (let at = file.length - 22; at >= Math.max(0, file.length - 22 - 65535); at--) {
    if (v.getUint32(at, true) === 0x06054b50) { eocd = at; break; }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record (the file is cut short?)');
  const count = v.getUint16(eocd + 10, true), dirSize = v.getUint32(eocd + 12, true), dirAt = v.getUint32(eocd + 16, true);
  if (count === 0xffff || dirAt === 0xffffffff) throw bad('a ZIP64 archive (over 4 GiB or 65,535 entries), larger than any ResNet checkpoint');
  if (count > MAX_ENTRIES || dirAt + dirSize > eocd) throw bad(`a central directory of ${count} entries at ${dirAt} that does not fit in the file`);
  const entries = new Map<string, Uint8Array>();
  for (let i = 0, at = dirAt; i < count; i++) {
    if (at + 46 > eocd || v.getUint32(at, true) !== 0x02014b50) throw bad(`central directory entry ${i} is damaged`);
    const method = v.getUint16(at + 10, true), size = v.getUint32(at + 20, true), stored = v.getUint32(at + 24, true);
    const nameLen = v.getUint16(at + 28, true), extraLen = v.getUint16(at + 30, true), commentLen = v.getUint16(at + 32, true);
    const local = v.getUint32(at + 42, true);
    if (at + 46 + nameLen > eocd) throw bad(`central directory entry ${i} is damaged`);
    const name = new TextDecoder().decode(file.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (method !== 0) throw bad(`entry ${name} is compressed (method ${method}); torch.save stores its entries`);
    if (size !== stored) throw bad(`entry ${name} has inconsistent sizes`);
    if (local + 30 > file.length || v.getUint32(local, true) !== 0x04034b50) throw bad(`entry ${name} points to no local header`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + size > file.length) throw bad(`entry ${name} (${size} bytes) runs past the end of the file`);
    entries.set(name, file.subarray(start, start + size));
  }
  return entries;
}
