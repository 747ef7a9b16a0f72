/**
 * resnet-edge/internal: the engines' building blocks, for this repository's benchmarks and tools. Not a public API:
 * anything here may change in any release.
 */
export { initWasm } from './backend/wasm.js';
export type { GpuEntry } from './backend/gpu-entry.js';
export { availablePaths, relaxedDotChoice, type KernelPath } from './int8/kernels.js';
export { Int8ResNet } from './int8/resnet.js';
export { buildPlan, type Plan } from './net/plan.js';
export { classifierHead, features, type Layer, type Layers } from './net/resnet.js';
export { disposeLayers, uploadLayers } from './net/upload.js';
export { readPack, type Pack } from './pack/read.js';
export { WebgpuResNet } from './webgpu/engine.js';
export { tfjsEngine } from './engines/tfjs.js';
export { imagePixels, toRawImage } from './image/source.js';
export { preprocess } from './preprocess.js';
export { embedTenCrops } from './custom/base-hooks.js';
