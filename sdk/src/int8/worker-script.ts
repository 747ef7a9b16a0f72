/**
 * The int8 kernels' worker threads' script (threads.ts starts them and publishes their steps; its comment describes the
 * control block), and the control block's layout constants both sides read.
 */
/** Chunks a step may be cut into, per thread. */
export const CHUNKS_PER_THREAD = 4;
/** The header's int32 slots; each thread's chunk counter follows, then the chunks' ranges. */
export const HEADER = 40;
/** A chunk counter between steps: past any thread's last chunk (its low 12 bits count chunks; the step's tag above). */
export const CLOSED = 4095;

/**
 * The workers' script: plain JS, self-contained (no outer names), so that no bundler or minifier can break it. It
 * runs as a classic script (browsers) or as CommonJS or ESM (Node's eval workers follow the parent's --input-type).
 */
export const WORKER = `(async () => {
const isNode = typeof self === 'undefined';
const port = isNode ? (await import('node:worker_threads')).parentPort : self;
const listen = (fn) => (isNode ? port.on('message', fn) : (self.onmessage = (e) => fn(e.data)));
listen(async ({ module, memory, ctl, index, count, stackTop }) => {
  const k = (await WebAssembly.instantiate(module, { env: { memory } })).exports;
  k.__stack_pointer.value = stackTop;
  port.postMessage('ready');
  const i32 = new Int32Array(memory.buffer, ctl, ${HEADER} + count), f32 = new Float32Array(memory.buffer, ctl, ${HEADER});
  const codeSize = k.code_size();
  // Chunk of the current step: this thread's own next one, else the next one another thread has not started; -1 when
  // none is left. A compare-and-swap on the owner's counter claims it: it fails if another thread took it, or if the
  // step ended meanwhile (its counters are closed then), so the arguments read after it are the step's.
  const take = (t) => {
    for (;;) {
      const v = Atomics.load(i32, ${HEADER} + t), c = t * i32[33] + (v & ${CLOSED});
      if ((v & ${CLOSED}) >= i32[33] || c >= i32[31]) return -1;
      if (Atomics.compareExchange(i32, ${HEADER} + t, v, v + 1) === v) return c;
    }
  };
  const claim = () => {
    for (let i = 0; i < count; i++) { const c = take((index + i) % count); if (c >= 0) return c; }
    return -1;
  };
  const run = (c) => {
    const per = i32[32], range = ctl + 4 * (${HEADER} + count + 2 * c);
    if (i32[25]) { // quantization: op 1 min/max of a slice, op 2 codes of a slice
      const n = i32[27], begin = c * per, end = Math.min(n, begin + per);
      if (i32[25] === 1) k.minmax_f32(i32[26] + 4 * begin, end - begin, range);
      else k.quantize_codes(i32[26] + 4 * begin, end - begin, i32[28] + codeSize * begin, i32[29]);
      return;
    }
    const m = i32[3], begin = c * per, end = Math.min(m, begin + per);
    if (i32[15] === 3) { // the max-pool, output rows [begin, end)
      k.maxpool3s2(i32[16], i32[17], i32[18], i32[19], i32[20], i32[21], begin, end);
      return;
    }
    if (i32[15] === 2) { // Winograd, tiles [begin, end)
      k.wino_input(i32[16], i32[17], i32[18], i32[4], i32[11], i32[2], begin, end, i32[19]);
      k.wino_gemm(i32[2], i32[4], i32[5], i32[6], i32[7], i32[8], i32[9], f32[10], i32[11], i32[12], i32[13], i32[14], i32[17], i32[18], begin, end, range, i32[19]);
      return;
    }
    if (i32[15]) k.im2col_codes(i32[16], i32[17], i32[18], i32[19], i32[20], i32[21], i32[22], i32[23], i32[24], i32[4], i32[11], i32[2], begin, end);
    k.gemm_u7s8(i32[2], m, i32[4], i32[5], i32[6], i32[7], i32[8], i32[9], f32[10], i32[11], i32[12], i32[13], i32[14], begin, end, range);
  };
  let gen = 0;
  for (;;) {
    // Spin ~0.2 ms before sleeping: a network's steps follow each other within microseconds, and waking from
    // Atomics.wait costs tens of microseconds each time (ResNet-50 on 2 threads, Node 24: 30.7 → 28.8 ms A/B).
    for (let spins = 0, t0 = performance.now(); Atomics.load(i32, 0) === gen; spins++) {
      if ((spins & 255) === 255 && performance.now() - t0 > 0.2) { Atomics.wait(i32, 0, gen); break; }
    }
    gen = Atomics.load(i32, 0);
    if (gen < 0) return;
    for (let c; (c = claim()) >= 0;) { run(c); Atomics.add(i32, 1, 1); }
  }
});
})();
`;
