/**
 * The WebGPU device resnet-edge's engine (../webgpu/engine.ts) runs on, requested by resnet-edge itself: so that it
 * can say which adapter it got, check the limits a model needs before uploading anything, and watch the device for
 * loss. One healthy device is kept per entry point and shared by every classifier; a lost one is replaced.
 */

import type { GpuEntry } from './gpu-entry.js';

export type { GpuEntry };

interface Adapter {
  limits: Record<string, number>;
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  requestDevice(descriptor: unknown): Promise<GpuDevice>;
}
type GpuDevice = GPUDevice;

/** The limits checked against what a model needs, raised to the adapter's when the device is made. */
const BUFFER_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize'] as const;

interface Session { gpu: GpuEntry; device: GpuDevice; adapter: string; software: boolean; maxBuffer: number; f16: boolean; lost?: string }
let session: Session | undefined;

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;

function describeAdapter(a: Adapter): string {
  const i = a.info ?? {};
  return [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' / ') || 'unnamed (the browser hides its name)';
}

function findGpu(gpu?: GpuEntry): GpuEntry {
  const found = gpu ?? (globalThis as { navigator?: { gpu?: GpuEntry } }).navigator?.gpu;
  if (!found) {
    throw new Error('navigator.gpu is not available: this runtime has no WebGPU (in a browser: use one with WebGPU enabled; '
      + "in Node: pass load({ gpu: create([]) }) from the npm package 'webgpu' after Object.assign(globalThis, globals))");
  }
  if (typeof (globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage === 'undefined') {
    throw new Error("the WebGPU globals (GPUBufferUsage, GPUMapMode, …) are missing: in Node, Object.assign(globalThis, globals) from the npm package 'webgpu'");
  }
  return found;
}

function checkLimits(limits: Record<string, number>, needBytes: number): void {
  for (const key of BUFFER_LIMITS) {
    if (limits[key] < needBytes) {
      throw new Error(`the adapter's ${key} is ${mib(limits[key])}, but this model needs a ${mib(needBytes)} buffer for one image`);
    }
  }
}

/** CPU emulations of a GPU: correct, but slower than SIMD wasm on the same CPU. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i;
const isSoftware = (a: Adapter, name: string): boolean => Boolean(a.info?.isFallbackAdapter ?? a.isFallbackAdapter) || SOFTWARE.test(name);

interface Found { adapter: Adapter; name: string; software: boolean }

async function requestAdapter(gpu: GpuEntry, needBytes: number): Promise<Found> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }) as Adapter | null;
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null: WebGPU exists but no GPU adapter is available (blocklisted or disabled driver)');
  const name = describeAdapter(adapter);
  try {
    checkLimits(adapter.limits, needBytes);
  } catch (e) {
    throw new Error(`${(e as Error).message} (adapter ${name})`);
  }
  return { adapter, name, software: isSoftware(adapter, name) };
}

/**
 * Refuses a CPU-emulated adapter before any device is made for it. The error carries the adapter's name, for
 * the diagnostics.
 */
function refuseSoftware({ name, software }: Pick<Found, 'name' | 'software'>, allowSoftware: boolean): void {
  if (!software || allowSoftware) return;
  throw Object.assign(new Error(`adapter ${name} emulates a GPU on the CPU, where SIMD wasm is faster: 'auto' passes over it `
    + "(backend: 'webgpu' or softwareGpu: true to use it)"), { adapter: name });
}

async function openDevice(gpu: GpuEntry, { adapter, name, software }: Found): Promise<Session> {
  const requiredLimits = Object.fromEntries(BUFFER_LIMITS.map((k) => [k, adapter.limits[k]]));
  const requiredFeatures = ['shader-f16', 'timestamp-query'].filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const s: Session = {
    gpu, device, adapter: name, software, f16: requiredFeatures.includes('shader-f16'),
    maxBuffer: Math.min(...BUFFER_LIMITS.map((k) => adapter.limits[k])),
  };
  void device.lost.then((info) => { s.lost = `${info.reason}: ${info.message}`; });
  return s;
}

export interface WebgpuInfo { adapter: string; maxBufferBytes: number; device: GpuDevice; f16: boolean; software: boolean }

/**
 * A healthy device whose limits hold `needBytes`; without `allowSoftware`, a CPU-emulated adapter (SwiftShader,
 * llvmpipe/lavapipe, WARP, or one flagged as fallback) is refused. The device is kept for every later load from
 * the same entry point; a lost one is replaced.
 */
export async function initWebgpu(gpuOption: GpuEntry | undefined, needBytes: number, allowSoftware: boolean): Promise<WebgpuInfo> {
  const gpu = findGpu(gpuOption);
  if (session && !session.lost && session.gpu === gpu) {
    checkLimits({ maxStorageBufferBindingSize: session.maxBuffer, maxBufferSize: session.maxBuffer }, needBytes);
    refuseSoftware({ name: session.adapter, software: session.software }, allowSoftware);
  } else if (session && !session.lost) {
    // Another entry point: it must work too, but the page keeps its device.
    refuseSoftware(await requestAdapter(gpu, needBytes), allowSoftware);
  } else {
    const found = await requestAdapter(gpu, needBytes);
    refuseSoftware(found, allowSoftware);
    session = await openDevice(gpu, found);
  }
  return { adapter: session.adapter, maxBufferBytes: session.maxBuffer, device: session.device, f16: session.f16, software: session.software };
}

/** The device the engines run on now. */
export function currentDevice(): WebgpuInfo | undefined {
  const s = session;
  return s && !s.lost ? { adapter: s.adapter, maxBufferBytes: s.maxBuffer, device: s.device, f16: s.f16, software: s.software } : undefined;
}

/** Why the device was lost, waiting up to `ms` for the browser to say so. */
export async function deviceLost(ms = 100): Promise<string | undefined> {
  const s = session;
  if (!s) return undefined;
  await Promise.race([s.device.lost, new Promise((r) => setTimeout(r, ms))]);
  return s.lost;
}

/**
 * Runs `work` with the device's out-of-memory and internal error scopes open, so that failures the engine never
 * sees (they would only reach the console) reject instead. A lost device rejects too.
 */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  const device = session?.device;
  if (!device || session?.lost) throw new Error(`the WebGPU device was lost (${session?.lost ?? 'no device'})`);
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('internal');
  let result: T;
  try {
    result = await work();
  } finally {
    const errors = await Promise.all([device.popErrorScope(), device.popErrorScope()].map((p) => p.catch((e: Error) => ({ message: e.message }))));
    const error = errors.find((e) => e);
    if (error) throw new Error(`WebGPU reported: ${error.message}`);
  }
  if (session?.lost) throw new Error(`the WebGPU device was lost during the run (${session.lost})`);
  return result;
}
