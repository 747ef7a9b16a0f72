/**
 * The tfjs engine: a float pack (or compute 'float32') on tfjs-backend-wasm (XNNPACK), the network written in tfjs
 * ops from the plan (../net/resnet.ts). This file and everything it imports is loaded by dynamic import() only when
 * such a model loads: the default int8 path never downloads tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildPlan } from '../net/plan.js';
import { classifierHead, features } from '../net/resnet.js';
import { disposeLayers, uploadLayers } from '../net/upload.js';
import type { Pack } from '../pack/read.js';
import { joinCrops, splitRows } from './batch.js';
import type { Engine } from './engine.js';

/** tfjs' active backend is global: put it back on wasm before touching tensors (another library may have moved it). */
async function onWasm(): Promise<void> {
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new Error('tfjs could not switch back to its wasm backend');
}

export async function tfjsEngine(pack: Pack): Promise<Engine> {
  await onWasm();
  const crop = pack.manifest.preprocess.crop, plan = buildPlan(pack.manifest.architecture, crop);
  const layers = uploadLayers(pack);
  return {
    kind: 'tfjs',
    async run(crops, head) {
      await onWasm();
      const out = tf.tidy(() => {
        const pooled = features(plan, layers, tf.tensor4d(joinCrops(crops), [crops.length, crop, crop, 3]));
        return head ? classifierHead(layers, pooled) : pooled;
      });
      try {
        return splitRows((await out.data()) as Float32Array, crops.length);
      } finally {
        out.dispose();
      }
    },
    dispose: () => disposeLayers(layers),
  };
}
