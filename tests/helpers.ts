/** Shared test helpers: reference models from tools/reference.py, conversion through the built packages. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { convert, type ConvertOptions } from 'resnet-edge/convert';
import type { WeightDType } from 'resnet-edge/pack';

export const MODELS = join(import.meta.dirname, '.models');
export const SHARED = join(import.meta.dirname, '..', '..', 'shared');
export const ROOT = join(import.meta.dirname, '..');

export interface Reference { name: string; input: string; logits: number[]; probabilities: number[]; features: number[]; opset: number; constantFolding: boolean }

export const reference = (name: string): Reference => JSON.parse(readFileSync(join(MODELS, `${name}.json`), 'utf8'));
export const modelInput = (ref: Reference): Uint8Array => readFileSync(join(MODELS, ref.input));

/** Converts a reference model; parity inputs are already model-sized, so nothing is resized. */
export async function convertReference(name: string, format: 'onnx' | 'safetensors', dtype: WeightDType, extra: ConvertOptions = {}) {
  const size = name.startsWith('cifar') ? 32 : 224;
  return convert(readFileSync(join(MODELS, `${name}.${format}`)), { dtype, preprocess: { resize: size, crop: size }, ...extra });
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export const argmax = (a: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

/** Runs the built CLI; resolves with stdout/stderr/exit code (never rejects on a non-zero exit). */
export async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [join(ROOT, 'sdk/dist/cli/main.js'), ...args], { maxBuffer: 64 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}
