/** Other Node versions for the bench's Node rows: `pnpm bench --node 24` (fetched by tools/fetch-node.mjs) or a path. */
import { execFileSync } from 'node:child_process';
// @ts-expect-error plain ESM module without types
import { fetchNode } from '../../../tools/fetch-node.mjs';

export interface NodeBinary { path: string; label: string }

const labelOf = (version: string) => `Node ${version.replace(/^v/, '').split('.')[0]}`;

/** This process's Node, then each of `specs` (major versions or paths), one per major version. */
export function nodeBinaries(specs: string[]): NodeBinary[] {
  const out: NodeBinary[] = [{ path: process.execPath, label: labelOf(process.version) }];
  for (const spec of specs) {
    const path: string = /^\d+$/.test(spec) ? fetchNode(spec) : spec;
    const label = labelOf(execFileSync(path, ['--version'], { encoding: 'utf8' }).trim());
    if (!out.some((b) => b.label === label)) out.push({ path, label });
  }
  return out;
}
