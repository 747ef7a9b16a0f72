/**
 * resnet-edge's own int8 WebAssembly kernels (sdk/kernels/int8.c): instantiation, the SIMD path chosen by feature
 * detection (and, on relaxed SIMD, the dot form chosen by dot-form.ts's probe), and a bump allocator over the
 * module's memory. Each model gets its own instance, so disposing a classifier frees its memory with it.
 */
import { GemmPool, type GemmArgs, type Im2colArgs, type Range, type Share, type WinoArgs } from './threads.js';
import { dotFormCode, probeOnce, type DotChoice } from './dot-form.js';
import { buildOf, bytes, importsMemory, instantiate, scratch, type Instance } from './builds.js';

export { forceDotForm, relaxedDotChoice, type DotChoice, type DotForm } from './dot-form.js';

export type KernelPath = 'relaxed' | 'simd';

export interface KernelExports {
  /** Absent from the -mt builds, which import a shared memory. */
  memory?: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  path(): number;
  quantize_u7(x: number, n: number, q: number, params: number): void;
  minmax_f32(x: number, n: number, out2: number): void;
  quant_params(mn: number, mx: number, params: number): void;
  quantize_codes(x: number, n: number, q: number, params: number): void;
  im2col_codes(x: number, h: number, w: number, c: number, k: number, stride: number, pad: number, oh: number, ow: number, kpad: number, zp: number, out: number,
    rowBegin: number, rowEnd: number): void;
  /** Relaxed builds only: 0 fused dot products, 1 paired (int8.c). */
  set_dot_form?(paired: number): void;
  /** `range`: where the outputs' min(0, …) and max(0, …) go (0: nowhere). */
  gemm_u7s8(a: number, m: number, kpad: number, b: number, n: number, wsum: number, wscale: number, bias: number, scale: number, zp: number,
    res: number, relu: number, out: number, rowBegin: number, rowEnd: number, range: number): void;
  pack_weights(w: number, n: number, k: number, kpad: number, npad: number, out: number, wsum: number): void;
  /** Bytes per weight pack_weights writes: 1 (int8, relaxed builds), 2 (i16, SIMD128 builds). */
  packed_weight_size(): number;
  /** Bytes per activation code (quantize_codes, im2col_codes, the GEMM's rows): 1 (relaxed builds), 2 (SIMD128). */
  code_size(): number;
  /** Winograd F(m×m, 3×3), m = 2 or 4, for 3×3 stride-1 convolutions (winograd.c). */
  wino_pack_weights(w: number, n: number, c: number, npad: number, u: number, wsum: number, m: number): void;
  wino_input(x: number, h: number, w: number, c: number, zp: number, v: number, tileBegin: number, tileEnd: number, m: number): void;
  wino_gemm(v: number, c: number, u: number, n: number, wsum: number, wscale: number, bias: number, scale: number, zp: number,
    res: number, relu: number, out: number, oh: number, ow: number, tileBegin: number, tileEnd: number, range: number, m: number): void;
  maxpool3s2(x: number, h: number, w: number, c: number, ow: number, out: number, rowBegin: number, rowEnd: number): void;
  avgpool(x: number, hw: number, c: number, out: number): void;
}

const modules: Partial<Record<KernelPath, Promise<WebAssembly.Module | undefined>>> = {};

/**
 * A known-answer GEMM (in each dot form of a relaxed build): relaxed SIMD's dot product is exact for our operands by
 * the standard, but an early implementation (Node 20's V8 behind --experimental-wasm-relaxed-simd) computes
 * something else; such a runtime gets the SIMD128 path instead.
 */
function answersRight(inst: Instance): boolean {
  const { k } = inst, base = scratch(inst, 1024), mem = () => inst.memory.buffer;
  // a: 2 × 16 codes (i16 at most: 64 bytes), w: 4 × 16 int8, b: packed (i16 at most: 128 bytes), out: 2 × 4 floats.
  const a = base, w = base + 64, b = base + 128, wsum = base + 256, one = base + 272, zero = base + 288, out = base + 320;
  const av = k.code_size() === 2 ? new Int16Array(mem(), a, 32) : new Uint8Array(mem(), a, 32), wv = new Int8Array(mem(), w, 64);
  av.forEach((_, i) => { av[i] = (i * 37 + 11) % 128; });
  wv.forEach((_, i) => { wv[i] = ((i * 53 + 7) % 255) - 127; });
  new Float32Array(mem(), one, 4).fill(1);
  new Float32Array(mem(), zero, 4).fill(0);
  k.pack_weights(w, 4, 16, 16, 4, b, wsum);
  for (const form of k.set_dot_form ? [1, 0] : [0]) {
    k.set_dot_form?.(form);
    k.gemm_u7s8(a, 2, 16, b, 4, wsum, one, zero, 1, 0, 0, 0, out, 0, 2, 0);
    const got = new Float32Array(mem(), out, 8);
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let i = 0; i < 16; i++) s += av[r * 16 + i] * wv[c * 16 + i];
        if (got[r * 4 + c] !== s) return false;
      }
    }
  }
  return true;
}

/**
 * The dot-form probe (dot-form.ts) once per process or page, on an instance of its own, if the relaxed kernels
 * validate here.
 */
export const probeDotFormOnce = (): Promise<DotChoice | undefined> => probeOnce(async () => {
  const module = await compiled('relaxed');
  if (!module) return undefined;
  const inst = await instantiate(module);
  return { k: inst.k, scratch: (bytes: number) => scratch(inst, bytes) };
});

/** The compiled module for a path (buildOf), or undefined where this runtime cannot validate it or runs it wrong. */
function compiled(path: KernelPath): Promise<WebAssembly.Module | undefined> {
  return (modules[path] ??= (async () => {
    const code = await bytes(buildOf(path));
    if (!WebAssembly.validate(code)) return undefined;
    const module = await WebAssembly.compile(code);
    return answersRight(await instantiate(module)) ? module : undefined;
  })());
}

/**
 * The paths this runtime can run, fastest first. Relaxed SIMD extends SIMD128: where the relaxed build runs, the
 * SIMD128 build is not fetched until asked for.
 */
export async function availablePaths(): Promise<KernelPath[]> {
  if (await compiled('relaxed')) return ['relaxed', 'simd'];
  return (await compiled('simd')) ? ['simd'] : [];
}

/** Stops the worker threads of kernels that were dropped without stop() (a classifier never disposed). */
const orphans = new FinalizationRegistry<GemmPool>((pool) => pool.stop());

/**
 * GEMMs smaller than this (multiply-adds) run on the calling thread alone: waking the workers and waiting for them costs
 * more than it saves (a CIFAR ResNet's convolutions, ~2.4 M each, ran slower on 2 threads than on 1).
 */
export let MIN_SPLIT_MACS = 1 << 23;
/** Activations smaller than this (floats) are quantized by the calling thread alone. */
const MIN_SPLIT_ELEMENTS = 1 << 16;
/** For benchmarks only: another split threshold. */
export const setMinSplitMacs = (macs: number): void => { MIN_SPLIT_MACS = macs; };

export class Kernels {
  readonly k: KernelExports;
  readonly memory: WebAssembly.Memory;
  #top: number;
  #pool: GemmPool | undefined;
  /** Two floats: a GEMM's outputs' range, when it runs on this thread alone. */
  readonly #range: number;
  /** Why fewer threads run than were asked for, if so. */
  threadsNote = '';

  private constructor(readonly path: KernelPath, { k, memory }: Instance) {
    this.k = k;
    this.memory = memory;
    this.#top = this.k.__heap_base.value as number;
    this.#range = this.alloc(8);
    this.codeBytes = this.k.code_size();
    this.useDotChoice();
  }

  /** Sets this instance (and its worker threads: the setting lives in the shared memory) to the probe's dot form. */
  useDotChoice(): void {
    if (this.path === 'relaxed') this.k.set_dot_form!(dotFormCode());
  }

  /** A fresh instance on `path` (default: the fastest this runtime validates), with `threads` where shared memory exists. */
  static async create(path?: KernelPath, threads = 1): Promise<Kernels> {
    const paths = await availablePaths();
    const chosen = path ?? paths[0];
    if (!chosen || !paths.includes(chosen)) {
      throw new Error(chosen === 'relaxed' ? "this runtime has no relaxed SIMD that computes resnet-edge's int8 kernels right" : 'resnet-edge\'s int8 kernels need WebAssembly SIMD128, which this runtime lacks');
    }
    const module = await compiled(chosen);
    if (!module) throw new Error(`resnet-edge's ${chosen} int8 kernels do not compute right here`);
    let inst: Instance;
    try {
      inst = await instantiate(module);
    } catch (e) {
      // A shared memory can fail where the first one did not (memory pressure): the plain build, one thread.
      const kern = new Kernels(chosen, await instantiate(await WebAssembly.compile(await bytes(chosen))));
      kern.threadsNote = `no shared WebAssembly memory could be made (${(e as Error).message})`;
      return kern;
    }
    const kern = new Kernels(chosen, inst);
    if (threads <= 1) return kern;
    if (!importsMemory(module)) {
      kern.threadsNote = 'this runtime has no shared WebAssembly memory';
      return kern;
    }
    try {
      kern.#pool = await GemmPool.start(module, inst.memory, (n) => kern.alloc(n), threads);
      orphans.register(kern, kern.#pool, kern);
    } catch (e) {
      kern.threadsNote = `the worker threads could not start (${(e as Error).message})`;
    }
    return kern;
  }

  /** Threads the GEMM runs on. */
  get threads(): number { return this.#pool?.threads ?? 1; }

  /** Bytes per activation code: 1 with relaxed SIMD, 2 on SIMD128 (sdk/kernels/codes.h). */
  readonly codeBytes: number;

  /**
   * quantize_u7 (codes at q, scale and zero point at params), from the tensor's `range` where the convolution that
   * wrote it returned it (the same params: no pass to find it): split between the threads when the tensor is large.
   */
  quantize(x: number, n: number, q: number, params: number, range?: Range): void {
    if (this.#pool && n >= MIN_SPLIT_ELEMENTS) this.#pool.quantize(this.k, x, n, q, params, range);
    else if (!range) this.k.quantize_u7(x, n, q, params);
    else {
      this.k.quant_params(range[0], range[1], params);
      this.k.quantize_codes(x, n, q, params);
    }
  }

  /**
   * The GEMM over all `m` rows, after `im2col` builds them (if given): on the worker threads too when there are any
   * and the work is worth splitting, each thread building and multiplying its own rows.
   */
  gemm(args: GemmArgs, im2col?: Im2colArgs): Range {
    const [a, m, kpad, b, n, wsum, wscale, bias, scale, zp, res, relu, out] = args;
    const rows: Share = (begin, end, range) => {
      if (im2col) this.k.im2col_codes(...im2col, kpad, zp, a, begin, end);
      this.k.gemm_u7s8(a, m, kpad, b, n, wsum, wscale, bias, scale, zp, res, relu, out, begin, end, range);
    };
    if (this.#pool && m * n * kpad >= MIN_SPLIT_MACS) return this.#pool.run(args, im2col, rows);
    rows(0, m, this.#range);
    return this.#rangeRead();
  }

  /**
   * A 3×3 stride-1 convolution by Winograd F(m×m, 3×3) (winograd.c): tiles of m×m outputs transformed (into `v`) and
   * multiplied, split between the threads like the GEMM's rows when the work is worth it.
   */
  winograd(args: WinoArgs): Range {
    const [v, tiles, c, u, n, wsum, wscale, bias, scale, zp, res, relu, out, x, h, w, m] = args;
    const run: Share = (begin, end, range) => {
      this.k.wino_input(x, h, w, c, zp, v, begin, end, m);
      this.k.wino_gemm(v, c, u, n, wsum, wscale, bias, scale, zp, res, relu, out, h, w, begin, end, range, m);
    };
    if (this.#pool && h * w * n * c * 9 >= MIN_SPLIT_MACS) return this.#pool.runWinograd(args, run);
    run(0, tiles, this.#range);
    return this.#rangeRead();
  }

  /** The stem's 3×3 stride-2 max-pool into oh × ow outputs, its rows split between the threads when it is large. */
  maxpool(x: number, h: number, w: number, c: number, oh: number, ow: number, out: number): void {
    if (this.#pool && oh * ow * c >= MIN_SPLIT_ELEMENTS) this.#pool.maxpool([x, h, w, c, ow, out], oh, (begin, end) => this.k.maxpool3s2(x, h, w, c, ow, out, begin, end));
    else this.k.maxpool3s2(x, h, w, c, ow, out, 0, oh);
  }

  /** The range the last GEMM on this thread wrote (two floats at #range). */
  #rangeRead(): Range {
    const r = this.f32(this.#range, 2);
    return [r[0], r[1]];
  }

  /** Stops the worker threads (the instance itself is freed with its last reference). */
  stop(): void {
    orphans.unregister(this);
    this.#pool?.stop();
    this.#pool = undefined;
  }

  /** `bytes` of the module's memory, 16-byte aligned, growing it as needed. Lives as long as the instance. */
  alloc(bytes: number): number {
    const ptr = this.#top;
    this.#top = Math.ceil((ptr + bytes) / 16) * 16;
    const have = this.memory.buffer.byteLength;
    if (this.#top > have) this.memory.grow(Math.ceil((this.#top - have) / 65536));
    return ptr;
  }

  /** Bytes allocated so far (weights and activation buffers). */
  get used(): number {
    return this.#top;
  }

  f32(ptr: number, length: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, length); }
  i32(ptr: number, length: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, length); }
  u8(ptr: number, length: number): Uint8Array { return new Uint8Array(this.memory.buffer, ptr, length); }
  i8(ptr: number, length: number): Int8Array { return new Int8Array(this.memory.buffer, ptr, length); }
}
