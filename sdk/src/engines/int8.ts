/** The int8 engine: resnet-edge's int8 wasm kernels (../int8/resnet.ts), one crop after another. */
import { Int8ResNet } from '../int8/resnet.js';
import type { Pack } from '../pack/read.js';
import type { Engine } from './engine.js';

export interface Int8Engine extends Engine {
  /** 'relaxed' or 'simd' (SIMD128), the threads the GEMMs run on, and why fewer than asked for, if so. */
  readonly path: 'relaxed' | 'simd';
  readonly threads: number;
  readonly threadsNote: string;
  /** The Winograd tiles 3×3 stride-1 convolutions run by: m of F(m×m, 3×3), largest first (none: []). */
  readonly winograd: number[];
}

export async function int8Engine(pack: Pack, threads: number): Promise<Int8Engine> {
  const net = await Int8ResNet.create(pack, undefined, threads);
  const crop = pack.manifest.preprocess.crop;
  return {
    kind: 'int8', path: net.path, threads: net.threads, threadsNote: net.threadsNote, winograd: net.winogradTiles,
    run: async (crops, head) => crops.map((c) => { const r = net.forward(c, crop, head); return head ? r.logits! : r.pooled; }),
    dispose: () => net.dispose(),
  };
}
