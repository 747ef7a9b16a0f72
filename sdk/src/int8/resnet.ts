/**
 * The forward pass of every ResNet on resnet-edge's int8 kernels (kernels.ts), step by step from the plan
 * (net/plan.ts), with int8 weights kept as int8 (repacked once, no float copy) and activations quantized per tensor
 * on the fly. Each slot of the plan is one growable region of the module's memory.
 */
import type { Architecture, TensorEntry } from '../pack/format.js';
import type { Pack } from '../pack/read.js';
import { buildPlan, type ConvStep, type Plan, type Residual, type Slot as PlanSlot } from '../net/plan.js';
import { Kernels, probeDotFormOnce, relaxedDotChoice, type KernelPath } from './kernels.js';
import type { Range } from './threads.js';

/**
 * A layer in the GEMM's layout: k×k conv (k = 1 for the classifier) with cin inputs and cout outputs; `wino` 2 or 4: a
 * 3×3 stride-1 layer whose weights `w` are packed for winograd.c's F(m×m, 3×3) instead (i16, (m+2)² per 3×3 filter);
 * 0: the direct GEMM.
 */
interface QLayer { k: number; cin: number; cout: number; kpad: number; npad: number; w: number; wsum: number; wscale: number; bias: number; wino: Wino }
/** A layer's Winograd tile (F(m×m, 3×3)), or 0 for none. */
type Wino = 0 | 2 | 4;
/** A float NHWC activation in the module's memory; `range`: its min/max, where the convolution that wrote it gave them. */
interface Act { ptr: number; h: number; w: number; c: number; range?: Range }
/** A quantized activation: codes, scale and zero point. */
interface QAct { ptr: number; h: number; w: number; c: number; scale: number; zp: number }

const up = (n: number, to: number) => Math.ceil(n / to) * to;

/** Models whose largest convolution has fewer multiply-adds than this run the fused dot form without a probe. */
const PROBE_MIN_MACS = 1 << 23;
/** Multiply-adds of the plan's largest convolution. */
const largestConvMacs = (plan: Plan): number => Math.max(0, ...plan.steps.map((s) => (s.kind === 'conv' ? s.out.h * s.out.w * s.out.c * s.k * s.k * s.in.c : 0)));

/**
 * Whether 3×3 stride-1 convolutions run by Winograd (winograd.c: 36 multiplies per 4×4 outputs, i16 × i16, two
 * instructions per 8): on SIMD128 and wherever relaxed SIMD's fused dot product was not found fast — with VNNI it does
 * 16 int8 multiply-adds in one instruction and the direct GEMM is as fast or faster (not probed: a small model, whose
 * layers Winograd runs as fast as fused with VNNI and twice as fast without).
 */
const useWinograd = (path: KernelPath): boolean => path === 'simd' || relaxedDotChoice()?.form !== 'fused';
/**
 * Outputs with fewer 4×4 tiles than this run F(2×2, 3×3). ResNet-50's Winograd layers, F2 → F4, summed by map size
 * (Node 20, SIMD128, two A/B profiles): 56×56 4.5 → 2.9 ms, 28×28 4.0 → 2.6, 14×14 6.9 → 5.9, but 7×7 (4 tiles, each
 * streaming 2.25× F2's weights) 3.9 → 3.5–4.1: no gain there for 2.25× the memory.
 */
const F4_MIN_TILES = 16;
/**
 * The layers Winograd can run — 3×3, stride 1, input channels a multiple of 8 (the transform's vectors) — and their
 * tile: F(4×4, 3×3) (36 multiplies per 16 outputs, against F(2×2)'s 64) where the output holds at least F4_MIN_TILES
 * tiles of 4×4, else F(2×2, 3×3) (where F4's partial tiles waste more and its larger weights serve fewer tiles).
 */
const winogradLayers = (plan: Plan): Map<string, Wino> =>
  new Map(plan.steps.flatMap((s) => (s.kind === 'conv' && s.k === 3 && s.stride === 1 && s.in.c % 8 === 0
    ? [[s.layer, Math.ceil(s.out.h / 4) * Math.ceil(s.out.w / 4) >= F4_MIN_TILES ? 4 : 2] as const] : [])));
/**
 * Whether F(4×4, 3×3) computes a layer exactly: it recovers each sum Y from 64·Y in int32 (winograd.c), so |Y| < 2²⁵
 * for codes up to 127: 127 · Σ|w8| < 2²⁵ for every filter (holds for any weights up to 231 input channels).
 */
export function f4Exact(w: Int8Array, cout: number): boolean {
  const per = w.length / cout;
  for (let o = 0; o < cout; o++) {
    let s = 0;
    for (let i = o * per; i < (o + 1) * per; i++) s += Math.abs(w[i]);
    if (127 * s >= 2 ** 25) return false;
  }
  return true;
}

/** A growable region of the module's memory (reallocated only when a larger activation comes). */
class Region {
  ptr = 0;
  cap = 0;
  constructor(private readonly kern: Kernels) {}
  ensure(bytes: number): number {
    if (bytes > this.cap) { this.ptr = this.kern.alloc(bytes); this.cap = bytes; }
    return this.ptr;
  }
}

export class Int8ResNet {
  readonly #k: Kernels;
  readonly #layers = new Map<string, QLayer>();
  /** One region per activation slot of the plan, and scratch for an option-A residual and the classifier. */
  readonly #regions = new Map<PlanSlot, Region>();
  readonly #pad: Region;
  readonly #pooled: Region;
  readonly #q: Region;
  readonly #col: Region;
  readonly #plans = new Map<number, Plan>();
  readonly #params: number;

  private constructor(kern: Kernels, private readonly arch: Architecture) {
    this.#k = kern;
    this.#pad = new Region(kern);
    this.#pooled = new Region(kern);
    this.#q = new Region(kern);
    this.#col = new Region(kern);
    this.#params = kern.alloc(16);
  }

  get path(): KernelPath { return this.#k.path; }
  /** Threads the GEMMs run on, and why fewer than asked for, if so. */
  get threads(): number { return this.#k.threads; }
  get threadsNote(): string { return this.#k.threadsNote; }
  /** Bytes of the module's memory in use: packed weights (weightBytes), per-channel constants, activation buffers. */
  get memoryBytes(): number { return this.#k.used; }

  /**
   * Repacks every layer of an int8 pack into a fresh kernel instance (with `threads` where shared memory exists);
   * `winograd` (for tests and benchmarks) overrides useWinograd's choice.
   */
  static async create(pack: Pack, path?: KernelPath, threads = 1, winograd?: boolean): Promise<Int8ResNet> {
    const net = new Int8ResNet(await Kernels.create(path, threads), pack.manifest.architecture);
    if (net.#k.path === 'relaxed' && largestConvMacs(net.#plan(pack.manifest.preprocess.crop)) >= PROBE_MIN_MACS) {
      await probeDotFormOnce();
      net.#k.useDotChoice();
    }
    const largest = Math.max(...pack.manifest.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1)));
    // Staging for the repacking, in the im2col slot: the same memory serves the forward pass afterwards.
    const staging = net.#col.ensure(largest);
    const wino = (winograd ?? useWinograd(net.#k.path)) ? winogradLayers(net.#plan(pack.manifest.preprocess.crop)) : new Map<string, Wino>();
    for (const t of pack.manifest.tensors) net.#layers.set(t.name, net.#pack(pack.payload, t, staging, wino.get(t.name) ?? 0));
    return net;
  }

  /** Whether some 3×3 convolutions run by Winograd. */
  get winograd(): boolean { return this.winogradTiles.length > 0; }
  /** The Winograd tiles in use, largest first: [4, 2], [4], [2] or []. */
  get winogradTiles(): number[] { return [4, 2].filter((m) => [...this.#layers.values()].some((l) => l.wino === m)); }
  /** Bytes of the packed weights: the direct GEMM's (int8 with relaxed SIMD, i16 on SIMD128), Winograd's (i16). */
  get weightBytes(): number { return [...this.#layers.values()].reduce((s, l) => s + this.#packedBytes(l), 0); }

  /**
   * Bytes of a layer's packed weights: the direct GEMM's (int8 with relaxed SIMD, i16 with SIMD128: int8.c), or
   * Winograd's (i16, (m+2)² per 3×3 filter of cin).
   */
  #packedBytes(l: Pick<QLayer, 'wino' | 'npad' | 'kpad' | 'cin'>): number {
    return l.wino ? l.npad * 2 * (l.wino + 2) ** 2 * l.cin : l.npad * l.kpad * this.#k.k.packed_weight_size();
  }

  #pack(payload: Uint8Array, t: TensorEntry, staging: number, tile: Wino): QLayer {
    if (t.dtype !== 'int8' || !t.scale) throw new Error(`${t.name} is ${t.dtype}: the int8 kernels run int8 packs`);
    const [cout, cin, kh = 1, kw = 1] = t.shape;
    const k = kh, kk = kh * kw * cin, kpad = up(kk, 16), npad = up(cout, 4);
    const src = new Int8Array(payload.buffer, payload.byteOffset + t.weight.offset, cout * kk);
    // [out][in][ky][kx] -> [out][ky][kx][in]: the im2col row order.
    const dst = this.#k.i8(staging, cout * kk);
    for (let o = 0; o < cout; o++) {
      for (let i = 0; i < cin; i++) {
        for (let p = 0; p < kh * kw; p++) dst[o * kk + p * cin + i] = src[(o * cin + i) * kh * kw + p];
      }
    }
    const wino = tile === 4 && !f4Exact(src, cout) ? 2 : tile;
    const layer: QLayer = { k, cin, cout, kpad, npad, w: this.#k.alloc(this.#packedBytes({ wino, npad, kpad, cin })), wsum: this.#k.alloc(npad * 4),
      wscale: this.#k.alloc(npad * 4), bias: this.#k.alloc(npad * 4), wino };
    if (wino) this.#k.k.wino_pack_weights(staging, cout, cin, npad, layer.w, layer.wsum, wino);
    else this.#k.k.pack_weights(staging, cout, kk, kpad, npad, layer.w, layer.wsum);
    const f32 = (r: { offset: number; bytes: number }) => new Float32Array(payload.slice(r.offset, r.offset + r.bytes).buffer);
    this.#k.f32(layer.wscale, npad).fill(0).set(f32(t.scale));
    this.#k.f32(layer.bias, npad).fill(0).set(f32(t.bias));
    return layer;
  }

  #region(slot: PlanSlot): Region {
    let r = this.#regions.get(slot);
    if (!r) this.#regions.set(slot, r = new Region(this.#k));
    return r;
  }

  #quantize(x: Act): QAct {
    const n = x.h * x.w * x.c;
    const q = this.#q.ensure(n * this.#k.codeBytes);
    this.#k.quantize(x.ptr, n, q, this.#params, x.range);
    return { ptr: q, h: x.h, w: x.w, c: x.c, scale: this.#k.f32(this.#params, 1)[0], zp: this.#k.i32(this.#params + 4, 1)[0] };
  }

  /** The plan's convolution from quantized input `q` into float slot `to`: + bias (+ residual) (+ ReLU). */
  #conv(step: Pick<ConvStep, 'layer' | 'stride' | 'relu'>, q: QAct, to: Region, res?: Act): Act {
    const L = this.#layers.get(step.layer)!, stride = step.stride;
    const pad = (L.k - 1) >> 1;
    const oh = Math.floor((q.h + 2 * pad - L.k) / stride) + 1, ow = Math.floor((q.w + 2 * pad - L.k) / stride) + 1;
    const m = oh * ow;
    if (L.wino) {
      const tiles = Math.ceil(q.h / L.wino) * Math.ceil(q.w / L.wino), out = to.ensure(m * L.npad * 4);
      const range = this.#k.winograd([this.#col.ensure(tiles * 2 * (L.wino + 2) ** 2 * L.cin), tiles, L.cin, L.w, L.npad, L.wsum, L.wscale, L.bias,
        q.scale, q.zp, res ? res.ptr : 0, step.relu ? 1 : 0, out, q.ptr, q.h, q.w, L.wino]);
      return { ptr: out, h: oh, w: ow, c: L.npad, range };
    }
    // A 1×1 stride-1 convolution multiplies the codes themselves; any other builds its rows (im2col, in the GEMM's threads).
    const direct = L.k === 1 && stride === 1 && L.kpad === q.c;
    const a = direct ? q.ptr : this.#col.ensure(m * L.kpad * this.#k.codeBytes);
    const out = to.ensure(m * L.npad * 4);
    const range = this.#k.gemm([a, m, L.kpad, L.w, L.npad, L.wsum, L.wscale, L.bias, q.scale, q.zp, res ? res.ptr : 0, step.relu ? 1 : 0,
      out], direct ? undefined : [q.ptr, q.h, q.w, q.c, L.k, stride, pad, oh, ow]);
    return { ptr: out, h: oh, w: ow, c: L.npad, range };
  }

  /**
   * The residual as the gemm adds it, [oh·ow × width]: the activation itself, or (option A) subsampled by the stride
   * with its channels placed from `channelOffset` and zeros around them, in the scratch region.
   */
  #residual(x: Act, r: Residual, width: number): Act {
    if (r.stride === 1 && x.c === width) return x;
    const oh = Math.ceil(x.h / r.stride), ow = Math.ceil(x.w / r.stride);
    const ptr = this.#pad.ensure(oh * ow * width * 4);
    const src = this.#k.f32(x.ptr, x.h * x.w * x.c), dst = this.#k.f32(ptr, oh * ow * width).fill(0);
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const s = ((y * r.stride) * x.w + xx * r.stride) * x.c;
        dst.set(src.subarray(s, s + x.c), (y * ow + xx) * width + r.channelOffset);
      }
    }
    return { ptr, h: oh, w: ow, c: width };
  }

  #plan(crop: number): Plan {
    let plan = this.#plans.get(crop);
    if (!plan) this.#plans.set(crop, plan = buildPlan(this.arch, crop));
    return plan;
  }

  /** Pooled features (and logits when `head`) of one normalized NHWC crop, step by step from the plan. */
  forward(image: Float32Array, crop: number, head: boolean): { pooled: Float32Array; logits?: Float32Array } {
    const plan = this.#plan(crop), acts = new Map<PlanSlot, Act>();
    const inPtr = this.#region('input').ensure(image.length * 4);
    this.#k.f32(inPtr, image.length).set(image);
    acts.set('input', { ptr: inPtr, h: crop, w: crop, c: 3 });
    // The last quantized activation (one buffer holds it): a block's conv1 and projection read the same input.
    let last: { slot: PlanSlot; q: QAct } | undefined;
    for (const step of plan.steps) {
      const x = acts.get(step.src)!;
      let out: Act;
      if (step.kind === 'maxpool') {
        const ptr = this.#region(step.dst).ensure(step.out.h * step.out.w * x.c * 4);
        this.#k.maxpool(x.ptr, x.h, x.w, x.c, step.out.h, step.out.w, ptr);
        out = { ptr, h: step.out.h, w: step.out.w, c: x.c };
      } else {
        if (last?.slot !== step.src) last = { slot: step.src, q: this.#quantize(x) };
        const res = step.residual && this.#residual(acts.get(step.residual.slot)!, step.residual, this.#layers.get(step.layer)!.npad);
        out = this.#conv(step, last.q, this.#region(step.dst), res);
      }
      acts.set(step.dst, out);
      if (last?.slot === step.dst) last = undefined;
    }
    const x = acts.get(plan.last.slot)!;
    const pooledPtr = this.#pooled.ensure(x.c * 4);
    this.#k.k.avgpool(x.ptr, x.h * x.w, x.c, pooledPtr);
    const pooled = this.#k.f32(pooledPtr, x.c).slice();
    if (!head) return { pooled };
    const fc = this.#conv({ layer: 'fc', stride: 1, relu: false }, this.#quantize({ ptr: pooledPtr, h: 1, w: 1, c: x.c }), this.#pad);
    return { pooled, logits: this.#k.f32(fc.ptr, this.arch.numClasses).slice() };
  }

  /** Stops the worker threads; the memory goes with the last reference. */
  dispose(): void {
    this.#k.stop();
  }

  /** Logits (head) or pooled features for `n` crops, concatenated. */
  run(batch: Float32Array, n: number, crop: number, head: boolean): Float32Array {
    const per = crop * crop * 3, parts: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.forward(batch.subarray(i * per, (i + 1) * per), crop, head);
      parts.push(head ? r.logits! : r.pooled);
    }
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
    return out;
  }
}
