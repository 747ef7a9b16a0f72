/**
 * Worker threads for the int8 GEMM: each worker instantiates the same kernels on the same shared memory and, when
 * the calling thread publishes a GEMM (a generation counter and its arguments in a control block), computes its
 * share of the output rows — first their im2col rows, when the convolution has any — ; the calling thread computes
 * the first share and spins until the others are done, and a worker spins ~0.2 ms for the next one before it sleeps.
 * Quantizing an activation is split the same way, over slices of it: the codes, after their min/max — which the
 * convolution that wrote the activation returns (each thread's outputs' range, combined), or a first round finds.
 *
 * A Winograd convolution (winograd.c) is split the same way, by tiles of m×m outputs.
 *
 * Control block (int32 slots): 0 generation, 1 workers done, 2-14 GEMM arguments (Winograd: v, tiles, c, u, then as
 * the GEMM), 15 what runs (0 the GEMM, 1 im2col then the GEMM, 2 Winograd), 16-24 im2col's arguments (Winograd: x, h,
 * w, m), 25 quantize round (0: none, 1 min/max, 2 codes), 26-29 its x, n, q, params; from 32, two floats per thread (its
 * slice's or its outputs' min and max).
 * Used where shared memory exists: Node, and cross-origin isolated pages.
 */
import { startWorker, type WorkerLike } from '#platform';

/**
 * The workers' script: plain JS, self-contained (no outer names), so that no bundler or minifier can break it. It
 * runs as a classic script (browsers) or as CommonJS or ESM (Node's eval workers follow the parent's --input-type).
 */
const WORKER = `(async () => {
const isNode = typeof self === 'undefined';
const port = isNode ? (await import('node:worker_threads')).parentPort : self;
const listen = (fn) => (isNode ? port.on('message', fn) : (self.onmessage = (e) => fn(e.data)));
listen(async ({ module, memory, ctl, index, count, stackTop }) => {
  const k = (await WebAssembly.instantiate(module, { env: { memory } })).exports;
  k.__stack_pointer.value = stackTop;
  port.postMessage('ready');
  const i32 = new Int32Array(memory.buffer, ctl, 32), f32 = new Float32Array(memory.buffer, ctl, 32);
  const range = ctl + 4 * (32 + 2 * index); // this thread's pair of floats: its slice's or its outputs' min and max
  let gen = 0;
  for (;;) {
    // Spin ~0.2 ms before sleeping: a network's steps follow each other within microseconds, and waking from
    // Atomics.wait costs tens of microseconds each time (ResNet-50 on 2 threads, Node 24: 30.7 → 28.8 ms A/B).
    for (let spins = 0, t0 = performance.now(); Atomics.load(i32, 0) === gen; spins++) {
      if ((spins & 255) === 255 && performance.now() - t0 > 0.2) { Atomics.wait(i32, 0, gen); break; }
    }
    gen = Atomics.load(i32, 0);
    if (gen < 0) return;
    if (i32[25]) { // quantization: op 1 min/max of a slice (into its own pair of slots), op 2 codes of a slice
      const n = i32[27], per = Math.ceil(n / count / 16) * 16, begin = Math.min(n, index * per), end = Math.min(n, begin + per);
      if (i32[25] === 1) k.minmax_f32(i32[26] + 4 * begin, end - begin, range);
      else k.quantize_codes(i32[26] + 4 * begin, end - begin, i32[28] + k.code_size() * begin, i32[29]);
      Atomics.add(i32, 1, 1);
      continue;
    }
    const m = i32[3], per = Math.ceil(m / count / 2) * 2, begin = Math.min(m, index * per), end = Math.min(m, begin + per);
    if (i32[15] === 2) { // Winograd, tiles [begin, end)
      if (begin < end) k.wino_input(i32[16], i32[17], i32[18], i32[4], i32[11], i32[2], begin, end, i32[19]);
      if (begin < end) k.wino_gemm(i32[2], i32[4], i32[5], i32[6], i32[7], i32[8], i32[9], f32[10], i32[11], i32[12], i32[13], i32[14], i32[17], i32[18], begin, end, range, i32[19]);
      Atomics.add(i32, 1, 1);
      continue;
    }
    if (begin < end && i32[15]) k.im2col_codes(i32[16], i32[17], i32[18], i32[19], i32[20], i32[21], i32[22], i32[23], i32[24], i32[4], i32[11], i32[2], begin, end);
    if (begin < end) k.gemm_u7s8(i32[2], m, i32[4], i32[5], i32[6], i32[7], i32[8], i32[9], f32[10], i32[11], i32[12], i32[13], i32[14], begin, end, range);
    Atomics.add(i32, 1, 1);
  }
});
})();
`;

const STACK_BYTES = 256 * 1024;

export type GemmArgs = [a: number, m: number, kpad: number, b: number, n: number, wsum: number, wscale: number, bias: number,
  scale: number, zp: number, res: number, relu: number, out: number];
/** The kernels' quantization steps, as the calling thread runs its share. */
export interface QuantizeKernels {
  minmax_f32(x: number, n: number, out2: number): void;
  quant_params(mn: number, mx: number, params: number): void;
  quantize_codes(x: number, n: number, q: number, params: number): void;
}
/**
 * A Winograd convolution (Kernels.winograd): the GEMM's arguments with v, tiles, c, u, then the codes x, their h × w
 * and the tile's m (F(m×m, 3×3)).
 */
export type WinoArgs = [v: number, tiles: number, c: number, u: number, n: number, wsum: number, wscale: number, bias: number,
  scale: number, zp: number, res: number, relu: number, out: number, x: number, h: number, w: number, m: number];
/** An activation's min(0, …) and max(0, …): its quantization's range. */
export type Range = readonly [min: number, max: number];
/** The calling thread's share of a split step: rows or tiles [begin, end), its outputs' range written at `range`. */
export type Share = (begin: number, end: number, range: number) => void;
/** The im2col that builds a GEMM's rows `a` (its kpad and zero point are the GEMM's): source codes and geometry. */
export type Im2colArgs = [x: number, h: number, w: number, c: number, k: number, stride: number, pad: number, oh: number, ow: number];

export class GemmPool {
  private constructor(private readonly memory: WebAssembly.Memory, private readonly ctl: number, private readonly workers: WorkerLike[]) {}

  /** Starts `count - 1` workers on `module`/`memory`; `alloc` gives them the control block and their stacks. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, alloc: (bytes: number) => number, count: number): Promise<GemmPool> {
    const ctl = alloc(4 * (32 + 2 * count));
    const workers: WorkerLike[] = [];
    try {
      await Promise.all(Array.from({ length: count - 1 }, async (_, i) => {
        const w = await startWorker(WORKER);
        workers.push(w);
        const stackTop = alloc(STACK_BYTES) + STACK_BYTES;
        let timer: ReturnType<typeof setTimeout> | undefined;
        try {
          await new Promise<void>((ready, fail) => {
            w.onMessage((m) => (m === 'ready' ? ready() : fail(new Error(String(m)))));
            w.onError((reason) => fail(new Error(reason)));
            timer = setTimeout(() => fail(new Error('no answer after 10 s')), 10_000);
            w.postMessage({ module, memory, ctl, index: i + 1, count, stackTop });
          });
        } finally {
          clearTimeout(timer); // a pending timer would keep a Node script alive 10 s after its work
        }
      }));
    } catch (e) {
      workers.forEach((w) => w.terminate());
      throw e;
    }
    return new GemmPool(memory, ctl, workers);
  }

  get threads(): number { return this.workers.length + 1; }

  /**
   * One GEMM over every row (after the im2col that builds them, if any), split between the workers and `own` (the
   * calling thread's rows [begin, end), im2col included).
   */
  run(args: GemmArgs, im2col: Im2colArgs | undefined, own: Share): Range {
    return this.#split(args, im2col ? 1 : 0, im2col ?? [], own);
  }

  /** One Winograd convolution over every tile, split as run() splits rows (`own`: the calling thread's tiles). */
  runWinograd(args: WinoArgs, own: Share): Range {
    return this.#split(args.slice(0, 13) as GemmArgs, 2, args.slice(13), own);
  }

  /**
   * Publishes 13 GEMM-shaped arguments, what runs (`op`: slot 15) and its extra arguments; runs the first share;
   * returns the outputs' range.
   */
  #split(args: GemmArgs, op: number, extra: number[], own: Share): Range {
    const i32 = new Int32Array(this.memory.buffer, this.ctl, 32), f32 = new Float32Array(this.memory.buffer, this.ctl, 32 + 2 * this.threads);
    f32.fill(0, 32); // a thread with no rows leaves its range at (0, 0)
    const [a, m, kpad, b, n, wsum, wscale, bias, scale, zp, res, relu, out] = args;
    i32.set([a, m, kpad, b, n, wsum, wscale, bias], 2);
    f32[10] = scale;
    i32.set([zp, res, relu, out, op], 11);
    i32.set(extra, 16);
    i32[25] = 0;
    this.#publish(i32);
    own(0, Math.min(m, Math.ceil(m / this.threads / 2) * 2), this.ctl + 4 * 32);
    this.#wait(i32);
    return this.#range(f32);
  }

  /** The threads' ranges combined, as minmax_f32 combines its lanes. */
  #range(f32: Float32Array): Range {
    let mn = 0, mx = 0;
    for (let t = 0; t < this.threads; t++) {
      const a = f32[32 + 2 * t], b = f32[33 + 2 * t];
      mn = a < mn ? a : mn;
      mx = b > mx ? b : mx;
    }
    return [mn, mx];
  }

  /**
   * Quantizes n floats at x into codes at q, with params (scale, zero point) written as quantize_u7 writes them: from
   * their `range` where the convolution that wrote them returned it, else from the min/max of each thread's slice
   * (a first round), then each thread's codes. `k` is the calling thread's kernels.
   */
  quantize(k: QuantizeKernels, x: number, n: number, q: number, params: number, range?: Range): void {
    const i32 = new Int32Array(this.memory.buffer, this.ctl, 32 + 2 * this.threads);
    const f32 = new Float32Array(this.memory.buffer, this.ctl, 32 + 2 * this.threads);
    i32.set([x, n, q, params], 26);
    const per = Math.ceil(n / this.threads / 16) * 16, own = Math.min(n, per);
    if (!range) {
      i32[25] = 1;
      this.#publish(i32);
      k.minmax_f32(x, own, this.ctl + 4 * 32);
      this.#wait(i32);
    }
    k.quant_params(...(range ?? this.#range(f32)), params);
    i32[25] = 2;
    this.#publish(i32);
    k.quantize_codes(x, own, q, params);
    this.#wait(i32);
  }

  #publish(i32: Int32Array): void {
    Atomics.store(i32, 1, 0);
    Atomics.add(i32, 0, 1);
    Atomics.notify(i32, 0);
  }

  #wait(i32: Int32Array): void {
    while (Atomics.load(i32, 1) < this.workers.length) { /* the workers finish within the same step */ }
  }

  stop(): void {
    const i32 = new Int32Array(this.memory.buffer, this.ctl, 32);
    Atomics.store(i32, 0, -1);
    Atomics.notify(i32, 0);
    this.workers.forEach((w) => w.terminate());
  }
}
