/** Crops into one NHWC batch and a batch's output back into one row per crop: the only place engines do either. */
export function joinCrops(crops: Float32Array[]): Float32Array {
  if (crops.length === 1) return crops[0];
  const batch = new Float32Array(crops.reduce((n, c) => n + c.length, 0));
  crops.reduce((at, c) => { batch.set(c, at); return at + c.length; }, 0);
  return batch;
}

export function splitRows(out: Float32Array, n: number): Float32Array[] {
  const width = out.length / n;
  return Array.from({ length: n }, (_, i) => out.slice(i * width, (i + 1) * width));
}
