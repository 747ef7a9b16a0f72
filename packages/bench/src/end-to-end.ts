/**
 * End to end: a photo's file bytes to its top-5, ResNet-50 (224×224 after Resize(256) + CenterCrop(224)), one thread,
 * on a 12 MP and a 2 MP JPEG (tools/bench_photos.py makes them): resnet-edge (decode, preprocess, network, total)
 * with preprocess 'exact' beside PIL + torchvision + PyTorch on the same files and weights, and with preprocess 'fast'
 * beside PIL with draft() (both decode at libjpeg's DCT scale for a 256-pixel shorter side).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from 'resnet-edge/convert';
import { imagePixels, Int8ResNet, preprocess, readPack } from 'resnet-edge/internal';
import { MODELS_DIR, ROOT } from './files.ts';
import { median } from './report.ts';

export const PHOTOS = ['photo-12mp.jpg', 'photo-2mp.jpg'] as const;
const PACK = join(MODELS_DIR, 'resnet50.photo.int8.pack');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

export interface Stages { decode: number; preprocess: number; network: number; total: number }
/** exact: full-size decode; fast: resnet-edge's preprocess 'fast', PIL's draft(). */
export type DecodeMode = 'exact' | 'fast';
export interface EndToEndRow { photo: string; runtime: string; mode: DecodeMode; peer?: boolean; stages: Stages }
export const MODES: DecodeMode[] = ['exact', 'fast'];

/** The photos, and ResNet-50 as an int8 pack with ImageNet's preprocessing (the latency rows' pack crops 224 only). */
export async function ensurePhotos(): Promise<void> {
  if (!PHOTOS.every((p) => existsSync(join(MODELS_DIR, p)))) {
    execFileSync(PYTHON, [join(ROOT, 'tools', 'bench_photos.py'), 'make', '--out', MODELS_DIR], { stdio: 'inherit' });
  }
  if (!existsSync(PACK)) writeFileSync(PACK, (await convert(readFileSync(join(MODELS_DIR, 'resnet50.safetensors')), { dtype: 'int8' })).pack);
}

/** resnet-edge's stages, medians of `rounds` after one warm-up (run in a fresh Node process: node-child.ts e2e). */
export async function resnetEdgeStages(rounds: number): Promise<Record<string, Record<DecodeMode, Stages>>> {
  const pack = await readPack(new Uint8Array(readFileSync(PACK)));
  const net = await Int8ResNet.create(pack, undefined, 1);
  const p = pack.manifest.preprocess, out: Record<string, Record<DecodeMode, Stages>> = {};
  for (const photo of PHOTOS) {
    const bytes = new Uint8Array(readFileSync(join(MODELS_DIR, photo)));
    out[photo] = { exact: await stages(bytes, undefined), fast: await stages(bytes, p.resize) };
  }
  net.dispose();
  return out;

  async function stages(bytes: Uint8Array, minSide: number | undefined): Promise<Stages> {
    const t: Record<keyof Stages, number[]> = { decode: [], preprocess: [], network: [], total: [] };
    for (let r = 0; r <= rounds; r++) {
      const t0 = performance.now();
      const pixels = await imagePixels(bytes, minSide); // as classify() does: read where the decoder wrote them
      const t1 = performance.now();
      const crop = preprocess(pixels.image, p, pixels.resizeWindow);
      pixels.release();
      const t2 = performance.now();
      net.forward(crop, p.crop, true);
      const t3 = performance.now();
      if (r === 0) continue; // warm-up
      t.decode.push(t1 - t0); t.preprocess.push(t2 - t1); t.network.push(t3 - t2); t.total.push(t3 - t0);
    }
    return { decode: median(t.decode), preprocess: median(t.preprocess), network: median(t.network), total: median(t.total) };
  }
}

/** PIL + torchvision + PyTorch (float32, 1 thread) on the same photos and weights, without and with draft(). */
export function pilStages(rounds: number): Record<string, { exact: Stages; draft: Stages }> {
  return JSON.parse(execFileSync(PYTHON, [join(ROOT, 'tools', 'bench_photos.py'), 'time', '--dir', MODELS_DIR, '--rounds', String(rounds)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
}
