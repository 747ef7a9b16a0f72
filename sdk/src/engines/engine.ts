/**
 * What every engine is: a network built once from a pack (its plan and weights) that runs a batch of preprocessed
 * crops and can be disposed. The runtime (../backend/runtime.ts) holds one and swaps it when WebGPU fails.
 */
export type EngineKind = 'webgpu' | 'int8' | 'tfjs';

export interface Engine {
  /** 'webgpu': resnet-edge's WGSL programs; 'int8': its int8 wasm kernels; 'tfjs': tfjs-backend-wasm in float32. */
  readonly kind: EngineKind;
  /** One row per crop (NHWC float32, normalized): the logits (head) or the pooled features. */
  run(crops: Float32Array[], head: boolean): Promise<Float32Array[]>;
  dispose(): void;
}
