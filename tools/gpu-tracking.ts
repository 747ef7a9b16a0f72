/** A WebGPU entry point that records the devices made through it and counts the bytes of their live buffers. */
import type { GpuEntry } from 'resnet-edge';

export type TrackedDevice = GPUDevice & { queue: { submit(b: unknown): void } };
export interface TrackedGpu { entry: GpuEntry; devices: TrackedDevice[]; liveBytes(): number }

/** Binds a native object's methods to it, so that a Proxy can stand in for it. */
const bound = <T extends object>(target: T, override: Record<string, unknown>): T => new Proxy(target, {
  get: (t, k) => (k in override ? override[k as string] : typeof Reflect.get(t, k) === 'function' ? (Reflect.get(t, k) as Function).bind(t) : Reflect.get(t, k)),
});

export function trackedGpu(entry: GpuEntry): TrackedGpu {
  const devices: TrackedDevice[] = [];
  let live = 0;
  const countBuffers = (dev: TrackedDevice) => {
    const create = dev.createBuffer.bind(dev);
    dev.createBuffer = (desc: GPUBufferDescriptor) => {
      const b = create(desc), destroy = b.destroy.bind(b);
      let gone = false;
      live += b.size;
      b.destroy = () => { if (!gone) { gone = true; live -= b.size; } destroy(); };
      return b;
    };
  };
  const tracked: GpuEntry = {
    requestAdapter: async (o) => {
      const a = await entry.requestAdapter(o) as GPUAdapter | null;
      if (!a) return a;
      return bound(a, {
        requestDevice: async (d: GPUDeviceDescriptor) => {
          const dev = await a.requestDevice(d) as TrackedDevice;
          countBuffers(dev);
          devices.push(dev);
          return dev;
        },
      });
    },
  };
  return { entry: tracked, devices, liveBytes: () => live };
}
