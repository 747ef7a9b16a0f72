/** Subresource-Integrity-style check of a whole pack file: load({ integrity: 'sha256-<base64>' | '<64 hex>' }). */
import { PackError, UsageError } from '../errors.js';
import { sha256Hex } from './sha256.js';

/** The expected sha256 as lowercase hex, from 'sha256-<base64>' or 64 hex digits. */
export function parseIntegrity(integrity: string): string {
  const hex = /^[0-9a-f]{64}$/i.exec(integrity)?.[0];
  if (hex) return hex.toLowerCase();
  const b64 = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(integrity)?.[1];
  if (!b64) throw new UsageError('INVALID_ARGUMENT', `integrity must be "sha256-<base64>" or 64 hex digits (the pack file's sha256), got ${JSON.stringify(integrity)}.`);
  return Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

/** Throws PACK_INTEGRITY unless the whole file hashes to `expectedHex`. */
export async function checkIntegrity(file: Uint8Array, expectedHex: string): Promise<void> {
  const got = await sha256Hex(file);
  if (got !== expectedHex) {
    throw new PackError('PACK_INTEGRITY', `The pack's sha256 is ${got}, but integrity requires ${expectedHex}: this is not the pack you pinned. Check the URL, or update the expected hash if the model changed.`);
  }
}
