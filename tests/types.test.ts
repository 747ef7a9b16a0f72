/**
 * The published types, as users compile against them (`tsc --strict`, skipLibCheck false, the built package resolved
 * through its package.json): in a Node-only project (no DOM library) and in a web project, and every TypeScript block
 * of the README.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './helpers.ts';

const TSC = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
const BASE = join(ROOT, 'tests', '.types');

/** Uses of the public API that must type-check anywhere. */
const API = `import { load, diagnose, BackendError, ResnetEdgeError, type Classifier, type LoadOptions, type BackendChangeEvent,
  type ImageInput, type Prediction, type Diagnosis, type ErrorCode, type ClassifierEventMap } from 'resnet-edge';
import { convert, type ConvertOptions } from 'resnet-edge/convert';
import { PACK_MAGIC, type PackManifest } from 'resnet-edge/pack';
const options: LoadOptions = { backend: 'wasm', threads: 1, compute: 'int8', onBackendChange: (e: BackendChangeEvent) => console.log(e.reason) };
const clf: Classifier = await load(options);
clf.addEventListener('backendchange', (e) => console.log(e.from, e.to, e.reason));
const image: ImageInput = new Uint8Array(8);
const top: Prediction[] = await clf.classify(image, { topK: 3, crops: 10 });
const d: Diagnosis = await diagnose({ compute: 'float32' });
const code: ErrorCode = 'PACK_NOT_FOUND';
const map: ClassifierEventMap | undefined = undefined;
const c: ConvertOptions = { dtype: 'float16' };
const m: PackManifest | undefined = undefined;
console.log(top, d, code, map, c, m, PACK_MAGIC, convert, BackendError, ResnetEdgeError);
// @ts-expect-error load() makes classifiers; the constructor is private
new (await import('resnet-edge')).Classifier();
`;

async function typecheck(name: string, lib: string[], types: string[], files: Record<string, string>): Promise<string> {
  const dir = join(BASE, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'es2022', lib, types, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true, skipLibCheck: false },
    files: Object.keys(files),
  }));
  try {
    await promisify(execFile)(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return '';
  } catch (e) {
    return (e as { stdout: string }).stdout;
  }
}

/** Every ```ts block of the README, each a module of its own. */
export function readmeBlocks(): string[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => `${m[1]}\nexport {};\n`);
}

describe('published types', () => {
  it('a Node-only project (lib es2022, types node, no DOM)', async () => {
    assert.equal(await typecheck('node', ['es2022'], ['node'], { 'check.ts': API }), '');
  });
  it('a web project (lib es2022 + DOM, no Node types)', async () => {
    assert.equal(await typecheck('web', ['es2022', 'dom', 'dom.iterable'], [], { 'check.ts': `${API}\nconst el = document.querySelector('img')!;\nawait clf.classify(el);\n` }), '');
  });
  it("every TypeScript block of the README compiles with --strict", async () => {
    const blocks = readmeBlocks();
    assert.ok(blocks.length >= 3, `${blocks.length} blocks`);
    const files = Object.fromEntries(blocks.map((b, i) => [`readme-${i + 1}.ts`, b]));
    assert.equal(await typecheck('readme', ['es2022', 'dom', 'dom.iterable'], ['node'], files), '');
  });
});
