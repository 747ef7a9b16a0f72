/** How many threads wasm gets and why, in words: the same for resnet-edge's int8 kernels and tfjs-backend-wasm. */

/** Threads need SharedArrayBuffer: what a page must do to get it. */
export const NOT_ISOLATED = 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin '
  + 'and Cross-Origin-Embedder-Policy: require-corp for threads)';

export const threadsText = (n: number): string => `${n} thread${n > 1 ? 's' : ''}`;

/** The count asked for (load()'s `threads`, checked up front), else one per core. */
export function perCore(requested: number | undefined, cores: number): { threads: number; reason: string } {
  if (requested) return { threads: requested, reason: `${requested} requested` };
  const threads = Math.max(1, cores);
  return { threads, reason: `one per core (${cores} core${cores > 1 ? 's' : ''})` };
}
