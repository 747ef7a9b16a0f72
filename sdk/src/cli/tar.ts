/** Reads the regular files of a (gzipped) tar archive: ustar names, GNU long names and pax `path` records. */
import { gunzipSync } from 'node:zlib';

export interface TarEntry { path: string; data: Uint8Array }

const text = (b: Uint8Array): string => new TextDecoder().decode(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)));
const octal = (b: Uint8Array): number => parseInt(text(b).trim() || '0', 8);

export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  const bytes = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  let longName: string | undefined;
  for (let at = 0; at + 512 <= bytes.length;) {
    const h = bytes.subarray(at, at + 512);
    if (h.every((b) => b === 0)) return;
    const size = octal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 0x30);
    const data = bytes.subarray(at + 512, at + 512 + size);
    if (data.length < size) throw new Error(`tar archive is truncated inside ${text(h.subarray(0, 100))}`);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = text(data); continue; }
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data));
      if (m) longName = m[1];
      continue;
    }
    const prefix = text(h.subarray(345, 500));
    const path = longName ?? (prefix ? `${prefix}/${text(h.subarray(0, 100))}` : text(h.subarray(0, 100)));
    longName = undefined;
    if (type === '0' || type === '\0') yield { path, data };
  }
}
