/**
 * The forward pass of every ResNet on resnet-edge's int8 kernels (kernels.ts): the same graph as net/resnet.ts,
 * with int8 weights kept as int8 (repacked once, no float copy) and activations quantized per tensor on the fly.
 * Three float buffers carry the activations; each convolution writes in place over an input it no longer needs.
 */
import type { Architecture, TensorEntry } from '../pack/format.js';
import type { Pack } from '../pack/read.js';
import { blockInWidth, blockName, hasProjection, stageOutWidth } from '../pack/layout.js';
import { Kernels, type KernelPath } from './kernels.js';

/** A layer in the GEMM's layout: k×k conv (k = 1 for the classifier) with cin inputs and cout outputs. */
interface QLayer { k: number; cin: number; cout: number; kpad: number; npad: number; w: number; wsum: number; wscale: number; bias: number }
/** A float NHWC activation in the module's memory. */
interface Act { ptr: number; h: number; w: number; c: number }
/** A quantized activation: codes, scale and zero point. */
interface QAct { ptr: number; h: number; w: number; c: number; scale: number; zp: number }

const up = (n: number, to: number) => Math.ceil(n / to) * to;

/** A growable region of the module's memory (reallocated only when a larger activation comes). */
class Slot {
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
  readonly #f: Slot[];
  readonly #q: Slot;
  readonly #col: Slot;
  readonly #params: number;

  private constructor(kern: Kernels, private readonly arch: Architecture) {
    this.#k = kern;
    this.#f = [new Slot(kern), new Slot(kern), new Slot(kern)];
    this.#q = new Slot(kern);
    this.#col = new Slot(kern);
    this.#params = kern.alloc(16);
  }

  get path(): KernelPath { return this.#k.path; }
  /** Threads the GEMMs run on, and why fewer than asked for, if so. */
  get threads(): number { return this.#k.threads; }
  get threadsNote(): string { return this.#k.threadsNote; }
  /** Bytes of the module's memory in use: int8 weights, per-channel constants, activation buffers. */
  get memoryBytes(): number { return this.#k.used; }

  /** Repacks every layer of an int8 pack into a fresh kernel instance (with `threads` where shared memory exists). */
  static async create(pack: Pack, path?: KernelPath, threads = 1): Promise<Int8ResNet> {
    const net = new Int8ResNet(await Kernels.create(path, threads), pack.manifest.architecture);
    const largest = Math.max(...pack.manifest.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1)));
    // Staging for the repacking, in the im2col slot: the same memory serves the forward pass afterwards.
    const staging = net.#col.ensure(largest);
    for (const t of pack.manifest.tensors) net.#layers.set(t.name, net.#pack(pack.payload, t, staging));
    return net;
  }

  #pack(payload: Uint8Array, t: TensorEntry, staging: number): QLayer {
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
    const layer: QLayer = { k, cin, cout, kpad, npad, w: this.#k.alloc(npad * kpad), wsum: this.#k.alloc(npad * 4), wscale: this.#k.alloc(npad * 4), bias: this.#k.alloc(npad * 4) };
    this.#k.k.pack_weights(staging, cout, kk, kpad, npad, layer.w, layer.wsum);
    const f32 = (r: { offset: number; bytes: number }) => new Float32Array(payload.slice(r.offset, r.offset + r.bytes).buffer);
    this.#k.f32(layer.wscale, npad).fill(0).set(f32(t.scale));
    this.#k.f32(layer.bias, npad).fill(0).set(f32(t.bias));
    return layer;
  }

  #quantize(x: Act): QAct {
    const n = x.h * x.w * x.c;
    const q = this.#q.ensure(n);
    this.#k.k.quantize_u7(x.ptr, n, q, this.#params);
    return { ptr: q, h: x.h, w: x.w, c: x.c, scale: this.#k.f32(this.#params, 1)[0], zp: this.#k.i32(this.#params + 4, 1)[0] };
  }

  /** conv + bias (+ residual) (+ ReLU) from quantized input `q` into float slot `to`. */
  #conv(name: string, q: QAct, stride: number, relu: boolean, to: Slot, res?: Act): Act {
    const L = this.#layers.get(name)!;
    const pad = (L.k - 1) >> 1;
    const oh = Math.floor((q.h + 2 * pad - L.k) / stride) + 1, ow = Math.floor((q.w + 2 * pad - L.k) / stride) + 1;
    const m = oh * ow;
    let a = q.ptr;
    if (L.k !== 1 || stride !== 1 || L.kpad !== q.c) {
      a = this.#col.ensure(m * L.kpad);
      this.#k.k.im2col_u8(q.ptr, q.h, q.w, q.c, L.k, stride, pad, oh, ow, L.kpad, q.zp, a);
    }
    const out = to.ensure(m * L.npad * 4);
    this.#k.gemm([a, m, L.kpad, L.w, L.npad, L.wsum, L.wscale, L.bias, q.scale, q.zp, res ? res.ptr : 0, relu ? 1 : 0, out]);
    return { ptr: out, h: oh, w: ow, c: L.npad };
  }

  /** Option A: the input subsampled by the stride, new channels zero-padded on both sides, into `to`. */
  #padShortcut(x: Act, stride: number, width: number, to: Slot): Act {
    const oh = Math.ceil(x.h / stride), ow = Math.ceil(x.w / stride), before = (width - x.c) >> 1;
    const ptr = to.ensure(oh * ow * width * 4);
    const src = this.#k.f32(x.ptr, x.h * x.w * x.c), dst = this.#k.f32(ptr, oh * ow * width).fill(0);
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const s = ((y * stride) * x.w + xx * stride) * x.c;
        dst.set(src.subarray(s, s + x.c), (y * ow + xx) * width + before);
      }
    }
    return { ptr, h: oh, w: ow, c: width };
  }

  /** One residual block; `x` is in slot X, the result lands in slot Y (the caller swaps them). */
  #block(x: Act, s: number, b: number, [, Y, S]: Slot[]): Act {
    const { arch } = this, p = blockName(s, b), stride = b === 0 ? arch.stages[s].stride : 1;
    const qx = this.#quantize(x);
    // Basic blocks and original (v1) bottlenecks stride in conv1, torchvision's (v1.5) bottlenecks in conv2.
    const inConv1 = arch.block === 'basic' || Boolean(arch.strideIn1x1);
    let y = this.#conv(`${p}.conv1`, qx, inConv1 ? stride : 1, true, Y);
    const out = stageOutWidth(arch, s);
    let shortcut = x;
    if (hasProjection(arch, s, b)) shortcut = this.#conv(`${p}.downsample`, qx, stride, false, S);
    else if (stride !== 1 || blockInWidth(arch, s, b) !== out) shortcut = this.#padShortcut(x, stride, out, S);
    if (arch.block === 'bottleneck') y = this.#conv(`${p}.conv2`, this.#quantize(y), inConv1 ? 1 : stride, true, Y);
    const last = arch.block === 'basic' ? 'conv2' : 'conv3';
    return this.#conv(`${p}.${last}`, this.#quantize(y), 1, true, Y, shortcut);
  }

  /** Pooled features (and logits when `head`) of one normalized NHWC crop. */
  forward(image: Float32Array, crop: number, head: boolean): { pooled: Float32Array; logits?: Float32Array } {
    const { arch } = this, slots = [...this.#f];
    const inPtr = slots[0].ensure(image.length * 4);
    this.#k.f32(inPtr, image.length).set(image);
    let x = this.#conv('conv1', this.#quantize({ ptr: inPtr, h: crop, w: crop, c: 3 }), arch.stem.stride, true, slots[1]);
    [slots[0], slots[1]] = [slots[1], slots[0]];
    if (arch.stem.maxPool) {
      const oh = Math.floor((x.h - 1) / 2) + 1, ow = Math.floor((x.w - 1) / 2) + 1;
      const ptr = slots[1].ensure(oh * ow * x.c * 4);
      this.#k.k.maxpool3s2(x.ptr, x.h, x.w, x.c, oh, ow, ptr);
      x = { ptr, h: oh, w: ow, c: x.c };
      [slots[0], slots[1]] = [slots[1], slots[0]];
    }
    arch.stages.forEach((stage, s) => {
      for (let b = 0; b < stage.blocks; b++) {
        x = this.#block(x, s, b, slots);
        [slots[0], slots[1]] = [slots[1], slots[0]];
      }
    });
    const pooledPtr = slots[1].ensure(x.c * 4);
    this.#k.k.avgpool(x.ptr, x.h * x.w, x.c, pooledPtr);
    const pooled = this.#k.f32(pooledPtr, x.c).slice();
    if (!head) return { pooled };
    const fc = this.#conv('fc', this.#quantize({ ptr: pooledPtr, h: 1, w: 1, c: x.c }), 1, false, slots[2]);
    return { pooled, logits: this.#k.f32(fc.ptr, arch.numClasses).slice() };
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
