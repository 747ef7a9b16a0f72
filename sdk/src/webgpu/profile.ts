/** Where a forward pass's GPU time goes: timestamp queries around each dispatch, each in a compute pass of its own. */

/** One dispatch of a forward pass: pipeline, bind group, workgroup counts, and what it computes (for the profile). */
export interface Dispatch { pipeline: GPUComputePipeline; group: GPUBindGroup; size: [number, number, number]; label: string }

const U = () => (globalThis as unknown as { GPUBufferUsage: Record<string, number> }).GPUBufferUsage;

/** GPU milliseconds per label (slower than a real run: a pass per dispatch). The device needs 'timestamp-query'. */
export async function profileDispatches(device: GPUDevice, dispatches: Dispatch[]): Promise<{ kernelMs: number; kernels: Record<string, number> }> {
  const count = dispatches.length * 2;
  const querySet = device.createQuerySet({ type: 'timestamp', count });
  const resolved = device.createBuffer({ size: count * 8, usage: U().QUERY_RESOLVE | U().COPY_SRC });
  const read = device.createBuffer({ size: count * 8, usage: U().MAP_READ | U().COPY_DST });
  const enc = device.createCommandEncoder();
  dispatches.forEach((d, i) => {
    const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.group);
    pass.dispatchWorkgroups(...d.size);
    pass.end();
  });
  enc.resolveQuerySet(querySet, 0, count, resolved, 0);
  enc.copyBufferToBuffer(resolved, 0, read, 0, count * 8);
  device.queue.submit([enc.finish()]);
  try {
    await read.mapAsync(1 /* GPUMapMode.READ */);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    const kernels: Record<string, number> = {};
    let kernelMs = 0;
    dispatches.forEach((d, i) => {
      const ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
      kernels[d.label] = (kernels[d.label] ?? 0) + ms;
      kernelMs += ms;
    });
    return { kernelMs, kernels };
  } finally {
    read.destroy();
    resolved.destroy();
    querySet.destroy();
  }
}
