/**
 * Other Node versions for the bench's Node rows: `pnpm bench --node 24` (fetched by tools/fetch-node.mjs) or a path;
 * `24:no-vnni` runs it with V8's AVX-VNNI lowering off (`--no-enable-avx-vnni`), standing for an x86 CPU without VNNI.
 */
import { execFileSync } from 'node:child_process';
// @ts-expect-error plain ESM module without types
import { fetchNode } from '../../../tools/fetch-node.mjs';

export interface NodeBinary { path: string; label: string; flags: string[] }

const labelOf = (version: string) => `Node ${version.replace(/^v/, '').split('.')[0]}`;

/** This process's Node, then each of `specs` (major versions or paths), one per major version. */
export function nodeBinaries(specs: string[]): NodeBinary[] {
  const out: NodeBinary[] = [{ path: process.execPath, label: labelOf(process.version), flags: [] }];
  for (const full of specs) {
    const [spec, variant] = full.split(':');
    const path: string = /^\d+$/.test(spec) ? fetchNode(spec) : spec;
    const flags = variant === 'no-vnni' ? ['--no-enable-avx-vnni'] : [];
    const label = labelOf(execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()) + (flags.length ? ' (no VNNI)' : '');
    if (!out.some((b) => b.label === label)) out.push({ path, label, flags });
  }
  return out;
}
