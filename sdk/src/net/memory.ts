/**
 * How big the largest GPU buffer of a forward pass is: every activation and weight tensor becomes one
 * storage buffer on WebGPU, so the adapter's maxStorageBufferBindingSize and maxBufferSize must hold it.
 */
import type { Architecture } from '../pack/format.js';
import { blockInWidth, expectedLayers, stageOutWidth } from '../pack/layout.js';

const F32 = 4;

/** Bytes of the largest activation of one image at `crop`×`crop` (NHWC float32). */
export function largestActivationBytes(arch: Architecture, crop: number): number {
  let side = Math.ceil(crop / arch.stem.stride);
  let largest = side * side * Math.max(3, arch.stem.width);
  if (arch.stem.maxPool) side = Math.ceil(side / 2);
  arch.stages.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++) {
      const inner = arch.block === 'bottleneck' ? stage.width : 0;
      const inSide = side;
      if (b === 0) side = Math.ceil(side / stage.stride);
      // A bottleneck's first 1×1 conv runs before the stride, at the input resolution.
      largest = Math.max(largest, inSide * inSide * Math.max(inner, blockInWidth(arch, s, b)), side * side * stageOutWidth(arch, s));
    }
  });
  return largest * F32;
}

/** Bytes of the largest weight tensor once uploaded as float32. */
export function largestWeightBytes(arch: Architecture): number {
  return Math.max(...expectedLayers(arch).map((l) => l.shape.reduce((a, b) => a * b, 1))) * F32;
}

/** The biggest single buffer a batch of `batch` images needs. */
export function largestBufferBytes(arch: Architecture, crop: number, batch = 1): number {
  return Math.max(largestActivationBytes(arch, crop) * batch, largestWeightBytes(arch));
}
