export * from './format.js';
export { expectedLayers, depthOf, hasProjection, blockInWidth, stageOutWidth, blockName, EXPANSION, type LayerSpec } from './layout.js';
export { validateManifest } from './validate.js';
export { readPack, readPackStream, payloadOffset, type Pack, type ReadProgress } from './read.js';
export { layerWeights, halfToFloat, floatToHalf, type LayerWeights } from './weights.js';
export { sha256Hex } from './sha256.js';
