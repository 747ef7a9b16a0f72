// Browser page for the backend tests: load on a chosen backend, diagnose(), and a device lost mid-run.
import { diagnose, load, type BackendName, type LoadOptions } from 'resnet-edge';

export interface BackendRun {
  backend: BackendName;
  diagnostics: { backend: string; ok: boolean; reason: string; threads?: number }[];
  logits: number[][];
  events: string[];
}

type Device = { destroy(): void; queue: { submit(b: unknown): void } };
const devices: Device[] = [];

/** Keeps every device the page creates, so that a test can destroy it. */
const proto = (globalThis as { GPUAdapter?: { prototype: { requestDevice(d?: unknown): Promise<Device> } } }).GPUAdapter?.prototype;
if (proto) {
  const requestDevice = proto.requestDevice;
  proto.requestDevice = async function (this: unknown, d?: unknown) {
    const device = await requestDevice.call(this, d);
    devices.push(device);
    return device;
  };
}

async function bytes(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

/** Loads `pack` with `options`, runs each image; `destroyAfterSubmits` destroys the device in the middle of the first run. */
async function run(pack: string, images: string[], options: Partial<LoadOptions> = {}, destroyAfterSubmits = 0): Promise<BackendRun> {
  const events: string[] = [];
  const clf = await load({ model: pack, wasmPaths: '/wasm/', ...options });
  clf.addEventListener('backendchange', (e) => {
    const { from, to, reason } = e as unknown as { from: string; to: string; reason: string };
    events.push(`${from}->${to}: ${reason}`);
  });
  if (destroyAfterSubmits) {
    const device = devices[devices.length - 1], submit = device.queue.submit.bind(device.queue);
    let n = 0;
    device.queue.submit = (b) => { submit(b); if (++n === destroyAfterSubmits) device.destroy(); };
  }
  try {
    const logits: number[][] = [];
    for (const image of images) logits.push(Array.from(await clf.logits(await bytes(image))));
    return { backend: clf.backend, diagnostics: clf.diagnostics.map((d) => ({ ...d })), logits, events };
  } finally {
    clf.dispose();
  }
}

/** A ResNet forward pass timed on this page's wasm backend (median of `runs`, after one warm-up). */
async function time(pack: string, image: string, threads: number, runs: number): Promise<{ threads: number; ms: number[] }> {
  const clf = await load({ model: pack, backend: 'wasm', compute: 'float32', wasmPaths: '/wasm/', threads }); // threads are tfjs'
  const input = await bytes(image);
  await clf.logits(input);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await clf.logits(input);
    ms.push(performance.now() - t);
  }
  const used = clf.diagnostics.find((d) => d.backend === 'wasm')?.threads ?? 1;
  clf.dispose();
  return { threads: used, ms };
}

Object.assign(globalThis, { resnetEdge: { run, time, diagnose: (softwareGpu = true) => diagnose({ wasmPaths: '/wasm/', softwareGpu }) } });
