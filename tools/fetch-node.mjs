#!/usr/bin/env node
// node tools/fetch-node.mjs <major>: fetches an official Node binary of that major version from the npm registry
// (package node-<platform>-<arch>) into .cache/node/<major>, once, and prints its path. Used by `pnpm bench --node 24`
// and by the test that runs the int8 kernels' relaxed-SIMD path in Node ≥ 22 (.ci/run fetches Node 24 first).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');

/** Where the binary of `major` lives once fetched. */
export const nodePath = (major) => join(ROOT, '.cache', 'node', String(major), 'package', 'bin', 'node');

export function fetchNode(major) {
  const bin = nodePath(major), dir = join(bin, '..', '..', '..');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pkg = `node-${process.platform}-${process.arch}@${major}`;
  console.error(`fetching ${pkg} from the npm registry…`);
  execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${pkg} wrote no tarball`);
  execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir]);
  rmSync(join(dir, tgz));
  return bin;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(fetchNode(process.argv[2] ?? '24'));
