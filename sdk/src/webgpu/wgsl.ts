/**
 * The WGSL programs of resnet-edge's WebGPU engine. Activations are NHWC; a convolution is an implicit GEMM
 * (M = output pixels of the batch, N = output channels, K = kh·kw·cin) tiled 64×64×16 in workgroup memory, 256
 * threads each holding a 4×4 block of outputs in float32, with bias, residual and ReLU applied before the single
 * store. When a layer has too few tiles to fill the GPU, K is split across workgroups and a second program sums the
 * parts and applies the same epilogue. Activations and weights are float32, or float16 (storage only: products are
 * summed in float32) where the adapter has shader-f16.
 */

export type Precision = 'f32' | 'f16';
export const TILE = 64;
export const TILE_K = 16;

/** Per-convolution constants, one uniform buffer each (u32 fields, in this order). */
export const CONV_PARAMS = ['M', 'N4', 'K', 'H', 'W', 'C', 'OH', 'OW', 'KW', 'S', 'PAD', 'relu', 'res', 'RH', 'RW', 'RS', 'RC0', 'RC', 'kTiles', 'splitTiles'] as const;

const paramsStruct = `struct P { ${CONV_PARAMS.map((k) => `${k}: u32`).join(', ')} }`;

const header = (p: Precision) => `${p === 'f16' ? 'enable f16;\n' : ''}alias T = ${p};\n${paramsStruct}\n`;

/** Bias + residual + ReLU on four output channels n4·4.. of pixel m; `R` holds the residual source (NHWC, scalar). */
const epilogue = `
fn finish(v0: vec4<f32>, m: u32, n4: u32) -> vec4<f32> {
  var v = v0 + B[n4];
  if (p.res == 1u) {
    let pix = p.OH * p.OW;
    let b = m / pix; let r = m % pix; let oy = r / p.OW; let ox = r % p.OW;
    let base = ((b * p.RH + oy * p.RS) * p.RW + ox * p.RS) * p.RC;
    for (var j = 0u; j < 4u; j++) {
      let c = n4 * 4u + j;
      if (c >= p.RC0 && c < p.RC0 + p.RC) { v[j] += f32(R[base + c - p.RC0]); }
    }
  }
  if (p.relu == 1u) { v = max(v, vec4<f32>(0.0)); }
  return v;
}`;

/**
 * The tiled convolution. vecA: the input's channel count is a multiple of 4, so the A tile is read as vec4 (every
 * layer but the RGB stem). split: write raw partial sums for conv_reduce instead of finishing here.
 */
export function convProgram(p: Precision, vecA: boolean, split: boolean): string {
  const load = vecA
    ? `let k = k0 + kq * 4u;
      var a = vec4<f32>(0.0);
      if (inM && k < p.K) {
        let kp = k / p.C; let ci = k % p.C; let iy = i32(oy * p.S + kp / p.KW) - i32(p.PAD); let ix = i32(ox * p.S + kp % p.KW) - i32(p.PAD);
        if (iy >= 0 && ix >= 0 && u32(iy) < p.H && u32(ix) < p.W) { a = vec4<f32>(X[((b * p.H + u32(iy)) * p.W + u32(ix)) * (p.C / 4u) + ci / 4u]); }
      }
      for (var j = 0u; j < 4u; j++) { As[kq * 4u + j][row] = a[j]; }`
    : `for (var j = 0u; j < 4u; j++) {
        let k = k0 + kq * 4u + j;
        var a = 0.0;
        if (inM && k < p.K) {
          let kp = k / p.C; let ci = k % p.C; let iy = i32(oy * p.S + kp / p.KW) - i32(p.PAD); let ix = i32(ox * p.S + kp % p.KW) - i32(p.PAD);
          if (iy >= 0 && ix >= 0 && u32(iy) < p.H && u32(ix) < p.W) { a = f32(X[((b * p.H + u32(iy)) * p.W + u32(ix)) * p.C + ci]); }
        }
        As[kq * 4u + j][row] = a;
      }`;
  const store = split
    ? `Y[(wg.z * p.M + m) * p.N4 + n4] = acc[i];`
    : `Y[m * p.N4 + n4] = vec4<T>(finish(acc[i], m, n4));`;
  return `${header(p)}
@group(0) @binding(0) var<storage, read> X: array<${vecA ? 'vec4<T>' : 'T'}>;
@group(0) @binding(1) var<storage, read> Wt: array<vec4<T>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> R: array<T>;
@group(0) @binding(4) var<storage, read_write> Y: array<${split ? 'vec4<f32>' : 'vec4<T>'}>;
@group(0) @binding(5) var<uniform> p: P;
var<workgroup> As: array<array<f32, ${TILE}>, ${TILE_K}>;
var<workgroup> Bs: array<array<vec4<f32>, ${TILE / 4}>, ${TILE_K}>;
${epilogue}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let tx = t % 16u; let ty = t / 16u;
  let row = t / 4u; let kq = t % 4u;
  let m = wg.y * ${TILE}u + row;
  let inM = m < p.M;
  let pix = p.OH * p.OW;
  let b = m / pix; let r = m % pix; let oy = r / p.OW; let ox = r % p.OW;
  let n4 = wg.x * ${TILE / 4}u + tx;
  let bk = t / 16u; let bn = t % 16u;
  var acc: array<vec4<f32>, 4>;
  let first = wg.z * p.splitTiles;
  let last = min(first + p.splitTiles, p.kTiles);
  for (var kt = first; kt < last; kt++) {
    let k0 = kt * ${TILE_K}u;
    { ${load} }
    let kb = k0 + bk; let nb = wg.x * ${TILE / 4}u + bn;
    Bs[bk][bn] = select(vec4<f32>(0.0), vec4<f32>(Wt[min(kb, p.K - 1u) * p.N4 + min(nb, p.N4 - 1u)]), kb < p.K && nb < p.N4);
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE_K}u; kk++) {
      let w = Bs[kk][tx];
      for (var i = 0u; i < 4u; i++) { acc[i] += As[kk][ty * 4u + i] * w; }
    }
    workgroupBarrier();
  }
  if (n4 >= p.N4) { return; }
  for (var i = 0u; i < 4u; i++) {
    let m = wg.y * ${TILE}u + ty * 4u + i;
    if (m < p.M) { ${store} }
  }
}`;
}

/** Sums the split-K parts (Y of convProgram(…, true)) and finishes: one thread per 4 channels of a pixel. */
export function reduceProgram(p: Precision): string {
  return `${header(p)}
@group(0) @binding(0) var<storage, read> Part: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> R: array<T>;
@group(0) @binding(4) var<storage, read_write> Y: array<vec4<T>>;
@group(0) @binding(5) var<uniform> p: P;
${epilogue}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.M * p.N4) { return; }
  let splits = (p.kTiles + p.splitTiles - 1u) / p.splitTiles;
  var v = vec4<f32>(0.0);
  for (var z = 0u; z < splits; z++) { v += Part[z * p.M * p.N4 + i]; }
  Y[i] = vec4<T>(finish(v, i / p.N4, i % p.N4));
}`;
}

/** 3×3 max-pool, stride 2, padding 1 (the ImageNet stem): one thread per output element. */
export function maxPoolProgram(p: Precision): string {
  return `${header(p)}
struct Q { n: u32, H: u32, W: u32, C: u32, OH: u32, OW: u32 }
@group(0) @binding(0) var<storage, read> X: array<T>;
@group(0) @binding(1) var<storage, read_write> Y: array<T>;
@group(0) @binding(2) var<uniform> q: Q;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x + g.y * 65535u * 256u;
  if (i >= q.n * q.OH * q.OW * q.C) { return; }
  let c = i % q.C; let px = i / q.C; let ox = px % q.OW; let oy = (px / q.OW) % q.OH; let b = px / (q.OW * q.OH);
  var v = -3.0e38;
  for (var dy = 0u; dy < 3u; dy++) {
    for (var dx = 0u; dx < 3u; dx++) {
      let iy = i32(oy * 2u + dy) - 1; let ix = i32(ox * 2u + dx) - 1;
      if (iy >= 0 && ix >= 0 && u32(iy) < q.H && u32(ix) < q.W) { v = max(v, f32(X[((b * q.H + u32(iy)) * q.W + u32(ix)) * q.C + c])); }
    }
  }
  Y[i] = T(v);
}`;
}

/** Global average pooling to float32 features [n, C]: one thread per (image, channel). */
export function avgPoolProgram(p: Precision): string {
  return `${header(p)}
struct Q { n: u32, HW: u32, C: u32 }
@group(0) @binding(0) var<storage, read> X: array<T>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
@group(0) @binding(2) var<uniform> q: Q;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= q.n * q.C) { return; }
  let b = i / q.C; let c = i % q.C;
  var s = 0.0;
  for (var j = 0u; j < q.HW; j++) { s += f32(X[(b * q.HW + j) * q.C + c]); }
  Y[i] = s / f32(q.HW);
}`;
}
