/**
 * How big the largest GPU buffer of a forward pass is: every activation and weight tensor becomes one
 * storage buffer on WebGPU, so the adapter's maxStorageBufferBindingSize and maxBufferSize must hold it.
 */
import type { Architecture } from '../pack/format.js';
import { buildPlan, layerSpecs } from './plan.js';

const F32 = 4;

/** Bytes of the largest activation of one image at `crop`×`crop` (NHWC float32), read from the plan. */
export function largestActivationBytes(arch: Architecture, crop: number): number {
  return Math.max(...Object.values(buildPlan(arch, crop).slotElements)) * F32;
}

/** Bytes of the largest weight tensor once uploaded as float32. */
export function largestWeightBytes(arch: Architecture): number {
  return Math.max(...layerSpecs(arch).map((l) => l.shape.reduce((a, b) => a * b, 1))) * F32;
}

/** The biggest single buffer a batch of `batch` images needs. */
export function largestBufferBytes(arch: Architecture, crop: number, batch = 1): number {
  return Math.max(largestActivationBytes(arch, crop) * batch, largestWeightBytes(arch));
}
