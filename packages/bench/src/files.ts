/** The bench's models on disk (packages/bench/.models, made by tools/bench_models.py) and the MACs each forward pass costs. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { convert } from 'resnet-edge/convert';
import type { ModelFiles } from './runners.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const MODELS_DIR = join(ROOT, 'packages', 'bench', '.models');
export const MODELS = ['cifar20', 'resnet18', 'resnet50'] as const;
export type ModelName = (typeof MODELS)[number];
export const CROP: Record<ModelName, number> = { cifar20: 32, resnet18: 224, resnet50: 224 };
/** Multiply-adds of one forward pass (convolutions and the classifier), counted from the architectures. */
export const MACS: Record<ModelName, number> = { cifar20: 40.55e6, resnet18: 1.814e9, resnet50: 4.089e9 };

/** Makes the ONNX models and the int8 packs once (PyTorch export + QDQ, then resnet-edge's converter). */
export async function ensureModels(): Promise<void> {
  if (!MODELS.every((m) => existsSync(join(MODELS_DIR, `${m}.int8.onnx`)))) {
    execFileSync('/usr/bin/python3', [join(ROOT, 'tools', 'bench_models.py'), '--out', MODELS_DIR], { stdio: 'inherit' });
  }
  for (const m of MODELS) {
    const pack = join(MODELS_DIR, `${m}.int8.pack`);
    if (existsSync(pack)) continue;
    const crop = CROP[m];
    const r = await convert(readFileSync(join(MODELS_DIR, `${m}.safetensors`)), { dtype: 'int8', preprocess: { resize: crop, crop } });
    writeFileSync(pack, r.pack);
  }
}

export const fileOf = (m: ModelName, kind: 'pack' | 'fp32' | 'int8') => join(MODELS_DIR, kind === 'pack' ? `${m}.int8.pack` : `${m}.${kind}.onnx`);

export function nodeFiles(m: ModelName): ModelFiles {
  return { crop: CROP[m], pack: async () => new Uint8Array(readFileSync(fileOf(m, 'pack'))), onnx: async (k) => new Uint8Array(readFileSync(fileOf(m, k))) };
}
