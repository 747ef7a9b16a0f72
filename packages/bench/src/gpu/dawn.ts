/**
 * WebGPU in Node for `pnpm bench:gpu`: Dawn through the npm package `webgpu`, on whatever Vulkan driver the machine
 * has (a real GPU; here, Chromium's SwiftShader), with counters on the calls every runtime makes through the WebGPU
 * API (dispatches, submits, uploads, readbacks, live buffer bytes), so that the runtimes are compared on the same terms.
 */
import { existsSync } from 'node:fs';

export interface GpuCounters {
  dispatches: number; submits: number; readbacks: number;
  /** Bytes written by queue.writeBuffer and into buffers mapped at creation (the two ways data goes up). */
  uploadBytes: number;
  /** Bytes of GPU buffers created and not yet destroyed, and the most there ever were. */
  liveBytes: number; peakBytes: number;
}

export interface Dawn {
  gpu: { requestAdapter(o?: unknown): Promise<unknown> };
  counters: GpuCounters;
  adapter: string;
  features: string[];
}

type Proto = Record<string, (...a: any[]) => any>;
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Wraps `proto[name]` so that `before` sees each call's `this` and arguments first. */
function spy(proto: Proto, name: string, before: (self: any, args: any[]) => any[] | void): void {
  const orig = proto[name];
  proto[name] = function (this: unknown, ...args: any[]) {
    return orig.apply(this, before(this, args) ?? args);
  };
}

/**
 * dawn.node refuses views of a SharedArrayBuffer in writeBuffer, which browsers accept; onnxruntime-web's threaded
 * wasm hands it exactly those. Copy them (only then) into an ordinary buffer.
 */
function unshared(args: any[]): any[] {
  const [buffer, offset, data, dataOffset = 0, size] = args;
  if (!ArrayBuffer.isView(data) || !(data.buffer instanceof SharedArrayBuffer)) return args;
  const view = data as Uint8Array;
  const count = size ?? view.length - dataOffset;
  return [buffer, offset, view.slice(dataOffset, dataOffset + count), 0, count];
}

function instrument(device: any, counters: GpuCounters): void {
  const sizes = new WeakMap<object, number>();
  const deviceProto = Object.getPrototypeOf(device) as Proto;
  const create = deviceProto.createBuffer;
  deviceProto.createBuffer = function (this: unknown, descriptor: { size: number; mappedAtCreation?: boolean }) {
    const buffer = create.call(this, descriptor);
    if (descriptor.mappedAtCreation) counters.uploadBytes += descriptor.size;
    sizes.set(buffer, descriptor.size);
    counters.liveBytes += descriptor.size;
    counters.peakBytes = Math.max(counters.peakBytes, counters.liveBytes);
    return buffer;
  };
  const probe = device.createBuffer({ size: 16, usage: 8 /* COPY_DST */ });
  spy(Object.getPrototypeOf(probe), 'destroy', (b) => {
    counters.liveBytes -= sizes.get(b) ?? 0;
    sizes.delete(b);
  });
  spy(Object.getPrototypeOf(probe), 'mapAsync', () => { counters.readbacks++; });
  probe.destroy();
  spy(Object.getPrototypeOf(device.queue), 'writeBuffer', (_q, args) => {
    const out = unshared(args);
    counters.uploadBytes += out[4] ?? (out[2] as ArrayBufferView).byteLength;
    return out;
  });
  spy(Object.getPrototypeOf(device.queue), 'submit', () => { counters.submits++; });
  const pass = device.createCommandEncoder().beginComputePass();
  spy(Object.getPrototypeOf(pass), 'dispatchWorkgroups', () => { counters.dispatches++; });
  pass.end();
}

const describe = (info: Record<string, string | undefined> = {}): string =>
  [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';

/** Opens Dawn, patches the WebGPU prototypes once with the counters, and sets `navigator.gpu` (onnxruntime-web reads it). */
export async function openDawn(): Promise<Dawn> {
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && !process.env.BENCH_GPU_REAL && existsSync(SWIFTSHADER)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]) as Dawn['gpu'];
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }) as any;
  if (!adapter) throw new Error('Dawn found no adapter: is a Vulkan driver installed (VK_ICD_FILENAMES / VK_DRIVER_FILES)?');
  const counters: GpuCounters = { dispatches: 0, submits: 0, uploadBytes: 0, readbacks: 0, liveBytes: 0, peakBytes: 0 };
  const device = await adapter.requestDevice();
  instrument(device, counters);
  device.destroy();
  counters.liveBytes = counters.peakBytes = 0;
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return { gpu, counters, adapter: describe(adapter.info), features: [...adapter.features].sort() };
}
