/**
 * resnet-edge's WebGPU engine: the plan (net/plan.ts) run by its own WGSL programs (wgsl.ts) on a device it is given.
 * Weights are uploaded once, in the layout the programs read; a batch is one upload, one command buffer (one dispatch
 * per convolution, plus split-K sums, pooling) and one readback of the logits.
 */
import { buildPlan, type ConvStep, type Plan, type Slot, type Step } from '../net/plan.js';
import type { Pack } from '../pack/read.js';
import { gpuLayer, type GpuLayer } from './weights.js';
import { avgPoolProgram, CONV_PARAMS, convProgram, maxPoolProgram, reduceProgram, TILE, type Precision } from './wgsl.js';
import { splitK, TARGET_WORKGROUPS, type SplitK } from './split.js';
import { castProgram } from './cast.js';
import { profileDispatches, type Dispatch } from './profile.js';

const SLOTS: Slot[] = ['input', 'x', 'y', 't1', 't2', 's'];

type Buffer = GPUBuffer;
export interface EngineOptions {
  /** Workgroups below which a convolution splits K (default TARGET_WORKGROUPS; 0: never). */
  splitTarget?: number;
  /** The device's largest storage buffer binding: batches are run in chunks that fit (default 128 MiB, WebGPU's minimum). */
  maxBufferBytes?: number;
}
interface Weights { layer: GpuLayer; w: Buffer; b: Buffer }
/** A step's dispatches for one batch size: pipeline, bind group and workgroup counts. */


const U = () => (globalThis as unknown as { GPUBufferUsage: Record<string, number> }).GPUBufferUsage;

export class WebgpuResNet {
  readonly plan: Plan;
  readonly #device: GPUDevice;
  readonly #precision: Precision;
  readonly #weights = new Map<string, Weights>();
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  readonly #layout: GPUBindGroupLayout;
  #slots = new Map<Slot | 'input32' | 'part' | 'pooled' | 'logits', Buffer>();
  #capacity = 0;
  #batches = new Map<number, Dispatch[]>();
  /** Uniform buffers of each batch size's dispatches. */
  #uniforms: Buffer[] = [];
  #bytes = 0;

  readonly #target: number;
  #maxBuffer = 0;

  private constructor(device: GPUDevice, pack: Pack, crop: number, precision: Precision, target: number) {
    this.#device = device;
    this.#target = target;
    this.#precision = precision;
    this.plan = buildPlan(pack.manifest.architecture, crop);
    const ro = { type: 'read-only-storage' as const };
    this.#layout = device.createBindGroupLayout({
      entries: [ro, ro, ro, ro, { type: 'storage' as const }, { type: 'uniform' as const }]
        .map((buffer, binding) => ({ binding, visibility: 4 /* COMPUTE */, buffer })),
    });
  }

  /** Uploads every layer once and compiles the programs the plan needs. */
  static async create(device: GPUDevice, pack: Pack, crop: number, precision: Precision, options: EngineOptions = {}): Promise<WebgpuResNet> {
    const net = new WebgpuResNet(device, pack, crop, precision, options.splitTarget ?? TARGET_WORKGROUPS);
    net.#maxBuffer = options.maxBufferBytes ?? 128 * 2 ** 20;
    for (const t of pack.manifest.tensors) {
      // The classifier reads float32 features, so it stays float32.
      const layer = gpuLayer(pack.payload, t, t.name === 'fc' ? 'f32' : precision);
      net.#weights.set(t.name, { layer, w: net.#upload(layer.weights), b: net.#upload(new Uint8Array(layer.bias.buffer)) });
    }
    await net.#compile();
    return net;
  }

  get precision(): Precision { return this.#precision; }
  /** Bytes of GPU buffers held: weights, activations for the largest batch so far, staging. */
  get memoryBytes(): number { return this.#bytes; }

  #buffer(size: number, usage: number): Buffer {
    const b = this.#device.createBuffer({ size: Math.ceil(size / 16) * 16, usage });
    this.#bytes += b.size;
    return b;
  }

  #upload(bytes: Uint8Array): Buffer {
    const b = this.#buffer(bytes.byteLength, U().STORAGE | U().COPY_DST);
    this.#device.queue.writeBuffer(b, 0, bytes.buffer, bytes.byteOffset, Math.ceil(bytes.byteLength / 4) * 4);
    return b;
  }

  /** The programs this plan uses, compiled in parallel. */
  async #compile(): Promise<void> {
    const p = this.#precision;
    const sources: Record<string, [string, boolean]> = {
      'conv-generic': [convProgram(p, false, false), true], conv: [convProgram(p, true, false), true], split: [convProgram(p, true, true), true],
      reduce: [reduceProgram(p), true], fc: [convProgram('f32', true, false), true], 'fc-generic': [convProgram('f32', false, false), true],
      maxpool: [maxPoolProgram(p), false], avgpool: [avgPoolProgram(p), false], cast: [castProgram(p), false],
    };
    const layout = this.#device.createPipelineLayout({ bindGroupLayouts: [this.#layout] });
    await Promise.all(Object.entries(sources).map(async ([name, [code, explicit]]) => {
      if (name === 'cast' && p === 'f32') return;
      const module = this.#device.createShaderModule({ code });
      this.#pipelines.set(name, await this.#device.createComputePipelineAsync({ layout: explicit ? layout : 'auto', compute: { module, entryPoint: 'main' } }));
    }));
  }

  #splits(step: ConvStep, n: number): SplitK {
    return splitK(step, this.#weights.get(step.layer)!.layer, n, this.#target);
  }

  /** Activation buffers for `n` images (grown, never shrunk). */
  #ensureCapacity(n: number): void {
    if (n <= this.#capacity) return;
    for (const b of [...this.#slots.values(), ...this.#uniforms]) { this.#bytes -= b.size; b.destroy(); }
    this.#slots.clear();
    this.#uniforms = [];
    this.#batches.clear();
    const bytes = this.#precision === 'f16' ? 2 : 4, storage = U().STORAGE | U().COPY_SRC | U().COPY_DST;
    for (const slot of SLOTS) this.#slots.set(slot, this.#buffer(Math.max(16, this.plan.slotElements[slot] * n * bytes), storage));
    if (this.#precision === 'f16') this.#slots.set('input32', this.#buffer(this.plan.slotElements.input * n * 4, storage));
    let part = 16;
    for (const s of this.plan.steps) {
      if (s.kind !== 'conv') continue;
      const { splits } = this.#splits(s, n);
      if (splits > 1) part = Math.max(part, splits * n * s.out.h * s.out.w * this.#weights.get(s.layer)!.layer.n4 * 16);
    }
    this.#slots.set('part', this.#buffer(part, storage));
    const c = this.plan.last.shape.c, fc = this.#weights.get('fc')!.layer;
    this.#slots.set('pooled', this.#buffer(n * c * 4, storage));
    this.#slots.set('logits', this.#buffer(n * fc.n4 * 16, storage));
    this.#capacity = n;
  }

  #uniform(values: number[]): Buffer {
    const b = this.#buffer(values.length * 4, U().UNIFORM | U().COPY_DST);
    this.#device.queue.writeBuffer(b, 0, new Uint32Array(values));
    this.#uniforms.push(b);
    return b;
  }

  #group(pipeline: string, buffers: Buffer[]): { pipeline: GPUComputePipeline; group: GPUBindGroup } {
    const p = this.#pipelines.get(pipeline)!;
    const layout = buffers.length === 6 ? this.#layout : p.getBindGroupLayout(0);
    return { pipeline: p, group: this.#device.createBindGroup({ layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) }) };
  }

  #convDispatches(s: ConvStep | { layer: 'fc'; src: 'pooled'; dst: 'logits' }, n: number, out: Dispatch[]): void {
    const conv: ConvStep = s.layer === 'fc'
      ? { kind: 'conv', layer: 'fc', k: 1, stride: 1, pad: 0, relu: false, src: 'x', dst: 'y', in: { h: 1, w: 1, c: this.plan.last.shape.c }, out: { h: 1, w: 1, c: this.plan.classes } }
      : s as ConvStep;
    const W = this.#weights.get(conv.layer)!, L = W.layer, M = n * conv.out.h * conv.out.w;
    const { splits, splitTiles, kTiles } = this.#splits(conv, n);
    const res = conv.residual;
    const values: Record<(typeof CONV_PARAMS)[number], number> = {
      M, N4: L.n4, K: L.k * L.k * L.cin, H: conv.in.h, W: conv.in.w, C: conv.in.c, OH: conv.out.h, OW: conv.out.w, KW: L.k, S: conv.stride, PAD: conv.pad,
      relu: conv.relu ? 1 : 0, res: res ? 1 : 0, RH: res?.shape.h ?? 0, RW: res?.shape.w ?? 0, RS: res?.stride ?? 0, RC0: res?.channelOffset ?? 0, RC: res?.shape.c ?? 0,
      kTiles, splitTiles,
    };
    const uniform = this.#uniform(CONV_PARAMS.map((k) => values[k]));
    const slot = (name: string) => this.#slots.get(name as Slot)!;
    const src = s.layer === 'fc' ? slot('pooled') : slot(conv.src), dst = s.layer === 'fc' ? slot('logits') : slot(conv.dst);
    const resBuf = res ? slot(res.slot) : W.b;
    const size: [number, number, number] = [Math.ceil(L.n4 / (TILE / 4)), Math.ceil(M / TILE), splits];
    const vec = conv.in.c % 4 === 0, label = s.layer === 'fc' ? 'fc' : `conv ${L.k}×${L.k}`;
    if (s.layer === 'fc') {
      out.push({ ...this.#group(vec ? 'fc' : 'fc-generic', [src, W.w, W.b, resBuf, dst, uniform]), size: [size[0], size[1], 1], label });
    } else if (splits === 1) {
      out.push({ ...this.#group(vec ? 'conv' : 'conv-generic', [src, W.w, W.b, resBuf, dst, uniform]), size, label });
    } else {
      out.push({ ...this.#group('split', [src, W.w, W.b, resBuf, slot('part'), uniform]), size, label: `${label} (split K)` });
      out.push({ ...this.#group('reduce', [slot('part'), W.w, W.b, resBuf, dst, uniform]), size: [Math.ceil((M * L.n4) / 256), 1, 1], label: 'split-K sum' });
    }
  }

  /** Every dispatch of a forward pass of `n` images, built once per batch size. */
  #dispatches(n: number): Dispatch[] {
    const cached = this.#batches.get(n);
    if (cached) return cached;
    const out: Dispatch[] = [];
    const slot = (name: string) => this.#slots.get(name as Slot)!;
    if (this.#precision === 'f16') {
      const count = n * this.plan.slotElements.input;
      out.push({ ...this.#group('cast', [slot('input32'), slot('input'), this.#uniform([count, 0, 0, 0])]), size: [Math.ceil(count / 256), 1, 1], label: 'cast to f16' });
    }
    for (const s of this.plan.steps) {
      if (s.kind === 'conv') this.#convDispatches(s, n, out);
      else out.push(this.#poolDispatch(s, n));
    }
    const { slot: last, shape } = this.plan.last;
    out.push({ ...this.#group('avgpool', [slot(last), slot('pooled'), this.#uniform([n, shape.h * shape.w, shape.c, 0])]), size: [Math.ceil((n * shape.c) / 256), 1, 1], label: 'avgpool' });
    this.#convDispatches({ layer: 'fc', src: 'pooled', dst: 'logits' }, n, out);
    this.#batches.set(n, out);
    return out;
  }

  #poolDispatch(s: Exclude<Step, ConvStep>, n: number): Dispatch {
    const count = n * s.out.h * s.out.w * s.out.c, groups = Math.ceil(count / 256);
    const uniform = this.#uniform([n, s.in.h, s.in.w, s.in.c, s.out.h, s.out.w, 0, 0]);
    return { ...this.#group('maxpool', [this.#slots.get(s.src)!, this.#slots.get(s.dst)!, uniform]), size: [Math.min(groups, 65535), Math.ceil(groups / 65535), 1], label: 'maxpool' };
  }

  /** Bytes one image needs in the largest buffer (activation slot, split-K parts at batch 1, logits). */
  #perImageBytes(): number {
    const bytes = this.#precision === 'f16' ? 2 : 4;
    let most = Math.max(...SLOTS.map((s) => this.plan.slotElements[s] * bytes), this.plan.slotElements.input * 4);
    for (const s of this.plan.steps) {
      if (s.kind !== 'conv') continue;
      const { splits } = this.#splits(s, 1);
      if (splits > 1) most = Math.max(most, splits * s.out.h * s.out.w * this.#weights.get(s.layer)!.layer.n4 * 16);
    }
    return most;
  }

  /** Logits (head) or pooled features of `n` preprocessed NHWC crops: [n × classes] or [n × C], float32. */
  async run(batch: Float32Array, n: number, head: boolean): Promise<Float32Array> {
    const step = Math.max(1, Math.floor(this.#maxBuffer / this.#perImageBytes()));
    if (n <= step) return this.#run(batch, n, head);
    const per = this.plan.slotElements.input, width = head ? this.plan.classes : this.plan.last.shape.c;
    const out = new Float32Array(n * width);
    for (let i = 0; i < n; i += step) {
      const m = Math.min(step, n - i);
      out.set(await this.#run(batch.subarray(i * per, (i + m) * per), m, head), i * width);
    }
    return out;
  }

  /** Buffers for `n` images, the crops uploaded, and the dispatches of their forward pass. */
  #prepare(batch: Float32Array, n: number): Dispatch[] {
    this.#ensureCapacity(n);
    const input = this.#slots.get(this.#precision === 'f16' ? 'input32' : 'input')!;
    this.#device.queue.writeBuffer(input, 0, batch.buffer, batch.byteOffset, n * this.plan.slotElements.input * 4);
    return this.#dispatches(n);
  }

  async #run(batch: Float32Array, n: number, head: boolean): Promise<Float32Array> {
    const dispatches = this.#prepare(batch, n);
    const enc = this.#device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const d of head ? dispatches : dispatches.slice(0, -1)) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(...d.size);
    }
    pass.end();
    const fc = this.#weights.get('fc')!.layer, c = this.plan.last.shape.c;
    const width = head ? fc.n4 * 4 : c, bytes = n * width * 4;
    const read = this.#device.createBuffer({ size: bytes, usage: U().MAP_READ | U().COPY_DST });
    enc.copyBufferToBuffer(this.#slots.get(head ? 'logits' : 'pooled')!, 0, read, 0, bytes);
    this.#device.queue.submit([enc.finish()]);
    try {
      await read.mapAsync(1 /* GPUMapMode.READ */);
      const all = new Float32Array(read.getMappedRange().slice(0));
      if (!head || width === fc.cout) return all;
      const out = new Float32Array(n * fc.cout);
      for (let i = 0; i < n; i++) out.set(all.subarray(i * width, i * width + fc.cout), i * fc.cout);
      return out;
    } finally {
      read.destroy();
    }
  }

  /**
   * GPU time of one forward pass of `n` images per kind of dispatch (see profile.ts; needs 'timestamp-query').
   */
  profile(batch: Float32Array, n: number): Promise<{ kernelMs: number; kernels: Record<string, number> }> {
    return profileDispatches(this.#device, this.#prepare(batch, n));
  }

  dispose(): void {
    for (const b of [...this.#slots.values(), ...this.#uniforms, ...[...this.#weights.values()].flatMap((w) => [w.w, w.b])]) b.destroy();
    this.#slots.clear();
    this.#weights.clear();
    this.#uniforms = [];
    this.#batches.clear();
    this.#bytes = 0;
  }
}
