/** Labelled images for `eval`: <root>/<class name>/*.{jpg,jpeg,png}, from a folder or a (gzipped) tar archive. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readTar } from './tar.js';

export interface LabelledImage { path: string; className: string; bytes: Uint8Array }

const IMAGE = /\.(jpe?g|png)$/i;

function* fromFolder(root: string): Generator<LabelledImage> {
  for (const className of readdirSync(root).sort()) {
    const dir = join(root, className);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (IMAGE.test(file)) yield { path: join(dir, file), className, bytes: readFileSync(join(dir, file)) };
    }
  }
}

function* fromArchive(file: string): Generator<LabelledImage> {
  for (const { path, data } of readTar(readFileSync(file))) {
    const parts = path.split('/').filter(Boolean);
    if (parts.length >= 2 && IMAGE.test(path)) yield { path, className: parts[parts.length - 2], bytes: data };
  }
}

export function labelledImages(source: string): Generator<LabelledImage> {
  return statSync(source).isDirectory() ? fromFolder(source) : fromArchive(source);
}
