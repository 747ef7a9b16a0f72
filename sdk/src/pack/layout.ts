import type { Architecture } from './format.js';

/** One weighted layer the architecture needs, in the order the forward pass uses them. */
export interface LayerSpec { name: string; shape: number[] }

export const EXPANSION = { basic: 1, bottleneck: 4 } as const;

/** Output channels of a stage's blocks. */
export function stageOutWidth(arch: Architecture, stage: number): number {
  return arch.stages[stage].width * EXPANSION[arch.block];
}

/** Whether block `b` of stage `s` has a projection (1×1 conv) shortcut. */
export function hasProjection(arch: Architecture, s: number, b: number): boolean {
  if (arch.shortcut === 'C') return true;
  if (arch.shortcut === 'A') return false;
  return b === 0 && (arch.stages[s].stride !== 1 || blockInWidth(arch, s, b) !== stageOutWidth(arch, s));
}

export function blockInWidth(arch: Architecture, s: number, b: number): number {
  if (b > 0) return stageOutWidth(arch, s);
  return s === 0 ? arch.stem.width : stageOutWidth(arch, s - 1);
}

export const blockName = (s: number, b: number): string => `layer${s + 1}.${b}`;

/** Every weighted layer of the architecture with its shape, torchvision names, forward order. */
export function expectedLayers(arch: Architecture): LayerSpec[] {
  const k = arch.stem.kernel;
  const out: LayerSpec[] = [{ name: 'conv1', shape: [arch.stem.width, 3, k, k] }];
  arch.stages.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++) {
      const p = blockName(s, b), cin = blockInWidth(arch, s, b), w = stage.width, cout = stageOutWidth(arch, s);
      if (arch.block === 'basic') {
        out.push({ name: `${p}.conv1`, shape: [w, cin, 3, 3] }, { name: `${p}.conv2`, shape: [w, w, 3, 3] });
      } else {
        out.push({ name: `${p}.conv1`, shape: [w, cin, 1, 1] }, { name: `${p}.conv2`, shape: [w, w, 3, 3] },
          { name: `${p}.conv3`, shape: [cout, w, 1, 1] });
      }
      if (hasProjection(arch, s, b)) out.push({ name: `${p}.downsample`, shape: [cout, cin, 1, 1] });
    }
  });
  const last = stageOutWidth(arch, arch.stages.length - 1);
  out.push({ name: 'fc', shape: [arch.numClasses, last] });
  return out;
}

/** The paper's depth: stem + convs in the residual branches + classifier. */
export function depthOf(arch: Pick<Architecture, 'block' | 'stages'>): number {
  const perBlock = arch.block === 'basic' ? 2 : 3;
  return 2 + perBlock * arch.stages.reduce((n, s) => n + s.blocks, 0);
}
