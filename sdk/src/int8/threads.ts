/**
 * Worker threads for the int8 GEMM: each worker instantiates the same kernels on the same shared memory. The calling
 * thread publishes a step (a generation counter and its arguments in a control block) cut into chunks — a GEMM's output
 * rows (first their im2col rows, when the convolution has any), a Winograd convolution's tiles of m×m outputs, a slice
 * of an activation to quantize (its min/max, or its codes), the stem max-pool's output rows — the same number of
 * consecutive chunks for each thread, the calling one included. Each thread runs its own chunks (the rows it wrote are
 * the slice it quantizes next: still in its core's cache), then takes the chunks another thread has not started: a
 * thread that starts late or is preempted (another process on its core) leaves its work to the others instead of
 * holding up the step. The calling thread then spins until every chunk is done; a worker spins ~0.2 ms for the next
 * step before it sleeps.
 *
 * Control block (int32 slots): 0 generation, 1 chunks done, 2-14 GEMM arguments (Winograd: v, tiles, c, u, then as the
 * GEMM; the max-pool: 3 its rows), 15 what runs (0 the GEMM, 1 im2col then the GEMM, 2 Winograd, 3 the max-pool),
 * 16-24 im2col's arguments (Winograd: x, h, w, m; the max-pool: x, h, w, c, ow, out), 25 quantize round (0: none, 1
 * min/max, 2 codes), 26-29 its x, n, q, params, 31 chunks, 32 rows (tiles, elements) per chunk, 33 chunks per thread;
 * from 40, one per thread, its next chunk (the step's tag in the high bits): a claim is a compare-and-swap, and the
 * counters are closed once the step is over, before the next one's arguments are written. After them, two floats per
 * chunk: its outputs' (its slice's) min and max.
 * Used where shared memory exists: Node, and cross-origin isolated pages.
 */
import { startWorker, type WorkerLike } from '#platform';
import { CHUNKS_PER_THREAD, CLOSED, HEADER, WORKER } from './worker-script.js';

const STACK_BYTES = 256 * 1024;

export type GemmArgs = [a: number, m: number, kpad: number, b: number, n: number, wsum: number, wscale: number, bias: number,
  scale: number, zp: number, res: number, relu: number, out: number];
/** The kernels' quantization steps, as the calling thread runs its share. */
export interface QuantizeKernels {
  minmax_f32(x: number, n: number, out2: number): void;
  quant_params(mn: number, mx: number, params: number): void;
  quantize_codes(x: number, n: number, q: number, params: number): void;
  code_size(): number;
}
/**
 * A Winograd convolution (Kernels.winograd): the GEMM's arguments with v, tiles, c, u, then the codes x, their h × w
 * and the tile's m (F(m×m, 3×3)).
 */
export type WinoArgs = [v: number, tiles: number, c: number, u: number, n: number, wsum: number, wscale: number, bias: number,
  scale: number, zp: number, res: number, relu: number, out: number, x: number, h: number, w: number, m: number];
/** The stem's 3×3 stride-2 max-pool (Kernels.maxpool): input x of h × w × c, output rows of ow, written at out. */
export type MaxpoolArgs = [x: number, h: number, w: number, c: number, ow: number, out: number];
/** An activation's min(0, …) and max(0, …): its quantization's range. */
export type Range = readonly [min: number, max: number];
/** The calling thread's share of a split step: rows or tiles [begin, end), its outputs' range written at `range`. */
export type Share = (begin: number, end: number, range: number) => void;
/** The im2col that builds a GEMM's rows `a` (its kpad and zero point are the GEMM's): source codes and geometry. */
export type Im2colArgs = [x: number, h: number, w: number, c: number, k: number, stride: number, pad: number, oh: number, ow: number];

export class GemmPool {
  /** Steps published so far: the low 19 bits tag the chunk counters. */
  #gen = 0;

  /** The control block, viewed once: a shared memory's buffer is not detached when the memory grows. */
  readonly #i32: Int32Array;
  readonly #f32: Float32Array;

  private constructor(memory: WebAssembly.Memory, private readonly ctl: number, private readonly workers: WorkerLike[]) {
    const length = HEADER + this.threads + 2 * CHUNKS_PER_THREAD * this.threads;
    this.#i32 = new Int32Array(memory.buffer, ctl, length);
    this.#f32 = new Float32Array(memory.buffer, ctl, length);
  }

  /** Starts `count - 1` workers on `module`/`memory`; `alloc` gives them the control block and their stacks. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, alloc: (bytes: number) => number, count: number): Promise<GemmPool> {
    const ctl = alloc(4 * (HEADER + count + 2 * CHUNKS_PER_THREAD * count));
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

  /** The max-pool's `rows` output rows, split as run() splits a GEMM's (`own`: the calling thread's rows). */
  maxpool(args: MaxpoolArgs, rows: number, own: Share): void {
    const i32 = this.#i32;
    i32[3] = rows;
    i32[15] = 3;
    i32.set(args, 16);
    i32[25] = 0;
    this.#step(rows, this.#chunking(rows, 1, 8), own);
  }

  /**
   * Chunks per thread and rows (tiles, elements) per chunk for `items` of them: one chunk per thread, up to
   * CHUNKS_PER_THREAD where each still holds `least` items (a chunk re-reads the GEMM's weights), a multiple of `align`.
   */
  #chunking(items: number, align: number, least: number): [perThread: number, per: number] {
    const perThread = Math.max(1, Math.min(CHUNKS_PER_THREAD, Math.floor(items / (this.threads * least))));
    return [perThread, Math.ceil(items / (this.threads * perThread) / align) * align];
  }

  /** Publishes 13 GEMM-shaped arguments, what runs (`op`: slot 15) and its extra arguments; returns the outputs' range. */
  #split(args: GemmArgs, op: number, extra: number[], own: Share): Range {
    const i32 = this.#i32, f32 = this.#f32;
    const [a, m, kpad, b, n, wsum, wscale, bias, scale, zp, res, relu, out] = args;
    i32.set([a, m, kpad, b, n, wsum, wscale, bias], 2);
    f32[10] = scale;
    i32.set([zp, res, relu, out, op], 11);
    i32.set(extra, 16);
    i32[25] = 0;
    return this.#step(m, this.#chunking(m, 2, 32), own);
  }

  /**
   * Quantizes n floats at x into codes at q, with params (scale, zero point) written as quantize_u7 writes them: from
   * their `range` where the convolution that wrote them returned it, else from the min/max of every slice (a first
   * step), then the codes of every slice. `k` is the calling thread's kernels.
   */
  quantize(k: QuantizeKernels, x: number, n: number, q: number, params: number, range?: Range): void {
    const i32 = this.#i32;
    i32.set([x, n, q, params], 26);
    const chunking = this.#chunking(n, 16, 1 << 14);
    if (!range) {
      i32[25] = 1;
      range = this.#step(n, chunking, (begin, end, out2) => k.minmax_f32(x + 4 * begin, end - begin, out2));
    }
    k.quant_params(...range, params);
    i32[25] = 2;
    this.#step(n, chunking, (begin, end) => k.quantize_codes(x + 4 * begin, end - begin, q + k.code_size() * begin, params));
  }

  /**
   * Runs the published step over `items` in chunks (perThread per thread, `per` items each): publishes it, runs the
   * calling thread's chunks (`own`, each writing its range at its own pair), takes those no worker has started, spins
   * until all are done; returns their ranges combined, as minmax_f32 combines its lanes.
   */
  #step(items: number, [perThread, per]: [number, number], own: Share): Range {
    const i32 = this.#i32, f32 = this.#f32;
    const chunks = Math.ceil(items / per), ranges = HEADER + this.threads;
    i32.set([chunks, per, perThread], 31);
    Atomics.store(i32, 1, 0);
    this.#gen = (this.#gen + 1) & 0x7ffff;
    for (let t = 0; t < this.threads; t++) Atomics.store(i32, HEADER + t, this.#gen << 12);
    Atomics.store(i32, 0, this.#gen);
    Atomics.notify(i32, 0);
    for (let t = 0; t < this.threads; t++) {
      for (let c; (c = this.#take(i32, t)) >= 0;) {
        own(c * per, Math.min(items, (c + 1) * per), this.ctl + 4 * (ranges + 2 * c));
        Atomics.add(i32, 1, 1);
      }
    }
    while (Atomics.load(i32, 1) < chunks) { /* the workers finish the chunks they started within the same step */ }
    // Closed before the next step's arguments are written: a worker still looking for a chunk of this one finds none.
    for (let t = 0; t < this.threads; t++) Atomics.store(i32, HEADER + t, CLOSED);
    let mn = 0, mx = 0;
    for (let c = 0; c < chunks; c++) {
      const lo = f32[ranges + 2 * c], hi = f32[ranges + 2 * c + 1];
      mn = lo < mn ? lo : mn;
      mx = hi > mx ? hi : mx;
    }
    return [mn, mx];
  }

  /** Thread t's next chunk not yet started, or -1 (as the workers take theirs). */
  #take(i32: Int32Array, t: number): number {
    for (;;) {
      const v = Atomics.load(i32, HEADER + t), c = t * i32[33] + (v & CLOSED);
      if ((v & CLOSED) >= i32[33] || c >= i32[31]) return -1;
      if (Atomics.compareExchange(i32, HEADER + t, v, v + 1) === v) return c;
    }
  }

  stop(): void {
    const i32 = this.#i32;
    Atomics.store(i32, 0, -1);
    Atomics.notify(i32, 0);
    this.workers.forEach((w) => w.terminate());
  }
}
