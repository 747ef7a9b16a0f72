// Browser page for the backend tests: load on a chosen backend, diagnose(), and a device lost mid-run.
import { diagnose, load, type BackendName, type LoadOptions } from 'resnet-edge';

export interface BackendRun {
  backend: BackendName;
  diagnostics: { backend: string; ok: boolean; reason: string; threads?: number }[];
  /** images[0]'s logits three times (computed concurrently), then one entry per further image. */
  logits: number[][];
  events: string[];
  /** Promise rejections nobody handled while the run lasted (and 200 ms after). */
  unhandled: string[];
}

const unhandled: string[] = [];
addEventListener('unhandledrejection', (e) => unhandled.push(String((e as PromiseRejectionEvent).reason)));

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
    unhandled.length = 0;
    const logits: number[][] = [];
    // The first image three times at once (all three pending when a device is lost: logits[0..2]), then the rest one by one.
    if (images.length) logits.push(...await Promise.all([0, 1, 2].map(async () => Array.from(await clf.logits(await bytes(images[0]))))));
    for (const image of images.slice(1)) logits.push(Array.from(await clf.logits(await bytes(image))));
    await new Promise((r) => setTimeout(r, 200));
    return { backend: clf.backend, diagnostics: clf.diagnostics.map((d) => ({ ...d })), logits, events, unhandled: [...unhandled] };
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

Object.assign(globalThis, { resnetEdge: { run, time, diagnose: (softwareGpu = true, compute?: 'int8' | 'float32') => diagnose({ wasmPaths: '/wasm/', softwareGpu, compute }) } });
