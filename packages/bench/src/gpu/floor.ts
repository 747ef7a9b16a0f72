/**
 * The floor under any WebGPU runtime's latency on this adapter: one submit with a 4-byte readback (the round trip every
 * inference pays once), and what each extra dispatch of a trivial kernel adds when many share one pass.
 */
export interface Floor { roundTripMs: number; perDispatchUs: number; limits: Record<string, number> }

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

export async function measureFloor(gpu: { requestAdapter(o?: unknown): Promise<unknown> }): Promise<Floor> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }) as any;
  const device = await adapter.requestDevice();
  const U = (globalThis as any).GPUBufferUsage, M = (globalThis as any).GPUMapMode;
  const data = device.createBuffer({ size: 256, usage: U.STORAGE | U.COPY_SRC });
  const read = device.createBuffer({ size: 4, usage: U.MAP_READ | U.COPY_DST });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: '@group(0) @binding(0) var<storage, read_write> d: array<u32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { d[g.x] += 1u; }' }), entryPoint: 'main' },
  });
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: data } }] });
  const pass = async (dispatches: number) => {
    const t = performance.now();
    const enc = device.createCommandEncoder();
    const p = enc.beginComputePass();
    p.setPipeline(pipeline);
    p.setBindGroup(0, group);
    for (let i = 0; i < dispatches; i++) p.dispatchWorkgroups(1);
    p.end();
    enc.copyBufferToBuffer(data, 0, read, 0, 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(M.READ);
    read.unmap();
    return performance.now() - t;
  };
  const times = async (n: number) => { for (let i = 0; i < 3; i++) await pass(n); const t: number[] = []; for (let i = 0; i < 20; i++) t.push(await pass(n)); return median(t); };
  const one = await times(1), many = await times(201);
  const keys = ['maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupSizeX'];
  const limits = Object.fromEntries(keys.map((k) => [k, adapter.limits[k]]));
  device.destroy();
  return { roundTripMs: one, perDispatchUs: ((many - one) / 200) * 1000, limits };
}
