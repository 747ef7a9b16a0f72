import type { Precision } from './wgsl.js';

/** float32 input crops to the engine's float16 activations (one thread per element). */
export function castProgram(p: Precision): string {
  return `${p === 'f16' ? 'enable f16;\n' : ''}struct Q { n: u32, a: u32, b: u32, c: u32 }
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<${p}>;
@group(0) @binding(2) var<uniform> q: Q;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < q.n) { Y[g.x] = ${p}(X[g.x]); }
}`;
}
