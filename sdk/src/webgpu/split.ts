/** How a convolution's K loop is cut across workgroups when the layer has too few output tiles to fill the GPU. */
import type { ConvStep } from '../net/plan.js';
import type { GpuLayer } from './weights.js';
import { TILE, TILE_K } from './wgsl.js';

/**
 * Workgroups a convolution should launch; fewer tiles than this split K (0: never). Measured on an NVIDIA H200,
 * ResNet-50 batch 1: 128 → 3.46 ms, 256 → 3.09 ms, 512 → 3.89 ms, never → 5.90 ms (docs/gpu.md).
 */
export const TARGET_WORKGROUPS = 256;

export interface SplitK { splits: number; splitTiles: number; kTiles: number }

export function splitK(step: ConvStep, layer: GpuLayer, n: number, target: number): SplitK {
  const kTiles = Math.ceil((layer.k * layer.k * layer.cin) / TILE_K);
  // The classifier, and the RGB stem (read element by element), are never split.
  if (step.layer === 'fc' || step.in.c % 4 !== 0) return { splits: 1, splitTiles: kTiles, kTiles };
  const tiles = Math.ceil(layer.n4 / (TILE / 4)) * Math.ceil((n * step.out.h * step.out.w) / TILE);
  const want = tiles >= target || kTiles < 8 ? 1 : Math.min(Math.ceil(target / tiles), Math.floor(kTiles / 4));
  const splitTiles = Math.ceil(kTiles / want);
  return { splits: Math.ceil(kTiles / splitTiles), splitTiles, kTiles };
}
