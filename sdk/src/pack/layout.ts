/**
 * The layers a pack must hold, read from the ResNet plan (../net/plan.ts, where the graph is written once), and the
 * paper's depth.
 */
import type { Architecture } from './format.js';
import { layerSpecs } from '../net/plan.js';

export { EXPANSION, blockInWidth, blockName, hasProjection, stageOutWidth, type LayerSpec } from '../net/plan.js';

/** Every weighted layer of the architecture with its shape, torchvision names, the order packs list them. */
export const expectedLayers = layerSpecs;

/** The paper's depth: stem + convs in the residual branches + classifier. */
export function depthOf(arch: Pick<Architecture, 'block' | 'stages'>): number {
  const perBlock = arch.block === 'basic' ? 2 : 3;
  return 2 + perBlock * arch.stages.reduce((n, s) => n + s.blocks, 0);
}
