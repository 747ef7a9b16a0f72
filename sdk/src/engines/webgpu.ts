/**
 * The WebGPU engine: resnet-edge's WGSL programs (../webgpu/engine.ts) on the device backend/webgpu.ts holds, float16
 * storage for a float16 pack where the adapter has shader-f16. Every call runs inside the device's error scopes, so
 * a lost device or a GPU error rejects (the runtime then moves to wasm).
 */
import { currentDevice, guarded } from '../backend/webgpu.js';
import type { Pack } from '../pack/read.js';
import { WebgpuResNet } from '../webgpu/engine.js';
import { joinCrops, splitRows } from './batch.js';
import type { Engine } from './engine.js';

export async function webgpuEngine(pack: Pack): Promise<Engine> {
  const info = currentDevice();
  if (!info) throw new Error('the WebGPU device was lost before the model was uploaded');
  const precision = pack.manifest.dtype === 'float16' && info.f16 ? 'f16' : 'f32';
  // A CPU emulation runs every workgroup one after another: splitting K there only adds work.
  const options = { maxBufferBytes: info.maxBufferBytes, splitTarget: info.software ? 0 : undefined };
  const net = await guarded(() => WebgpuResNet.create(info.device, pack, pack.manifest.preprocess.crop, precision, options));
  return {
    kind: 'webgpu',
    run: async (crops, head) => splitRows(await guarded(() => net.run(joinCrops(crops), crops.length, head)), crops.length),
    dispose: () => net.dispose(),
  };
}
