/**
 * Where a classifier's weights live and how a batch runs on them. On WebGPU every run is guarded: if the
 * device is lost or reports an error, the weights are uploaded to wasm from the pack kept for that purpose,
 * the same batch runs again there, and the classifier is told so that it can tell the app.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Architecture } from '../pack/format.js';
import type { Pack } from '../pack/read.js';
import { classifierHead, features, type Layer } from '../net/resnet.js';
import { largestActivationBytes } from '../net/memory.js';
import { disposeLayers, uploadLayers } from '../net/upload.js';
import { Int8ResNet } from '../int8/resnet.js';
import { noBackend, tryWasm, type BackendAttempt, type BackendChoice, type BackendName, type BackendRequest } from './choose.js';
import { UsageError } from '../errors.js';
import { exclusive } from './queue.js';
import { deviceLost, deviceMaxBuffer, guarded, releaseFreeBuffers } from './webgpu.js';

/**
 * Runs `work` on `backend`, in turn with every other backend use of the page (see queue.ts). A function is read
 * when the turn comes: a classifier may have moved to another backend while the work waited.
 */
export function onBackend<T>(backend: BackendName | (() => BackendName), work: () => Promise<T>): Promise<T> {
  return exclusive(async () => {
    const name = typeof backend === 'function' ? backend() : backend;
    if (tf.getBackend() !== name) await tf.setBackend(name);
    return work();
  });
}

export interface BackendChange { from: BackendName; to: BackendName; reason: string }

/** How the wasm backend runs an int8 pack: on resnet-edge's int8 kernels, or dequantized on tfjs (XNNPACK). */
export type Compute = 'int8' | 'float32';

/** The int8 kernels, when the attempt that won says the model computes there. */
async function int8Net(pack: Pack, attempt: BackendAttempt | undefined): Promise<Int8ResNet | undefined> {
  if (!attempt?.ok || attempt.compute !== 'int8') return undefined;
  const net = await Int8ResNet.create(pack, undefined, attempt.threads);
  if (net.threads < (attempt.threads ?? 1)) {
    // Say what actually runs (e.g. a CSP that refuses blob: workers).
    attempt.reason = attempt.reason.replace(/, \d+ threads?: .*$/s, `, ${net.threads} thread${net.threads > 1 ? 's' : ''}: ${net.threadsNote}`);
    attempt.threads = net.threads;
  }
  return net;
}

export class Runtime {
  backend: BackendName;
  attempts: BackendAttempt[];
  #layers: Map<string, Layer>;
  #int8: Int8ResNet | undefined;
  /** Kept while on WebGPU, to move to wasm without the network. */
  #pack: Pack | undefined;
  #pending = 0;
  #disposeWhenIdle = false;
  #disposed = false;

  private constructor(pack: Pack, choice: BackendChoice, private readonly request: BackendRequest,
    private readonly onChange: (change: BackendChange) => void, int8: Int8ResNet | undefined) {
    this.backend = choice.backend;
    this.#int8 = int8;
    this.attempts = choice.attempts;
    this.#pack = choice.backend === 'webgpu' ? pack : undefined;
    this.#layers = int8 ? new Map() : uploadLayers(pack);
  }

  /** Puts the pack's weights where the chosen backend computes: resnet-edge's int8 kernels, or tfjs tensors. */
  static async create(pack: Pack, choice: BackendChoice, request: BackendRequest, onChange: (change: BackendChange) => void): Promise<Runtime> {
    const int8 = await int8Net(pack, choice.attempts.find((a) => a.backend === choice.backend));
    if (int8) return new Runtime(pack, choice, request, onChange, int8);
    return onBackend(choice.backend, async () => new Runtime(pack, choice, request, onChange, undefined));
  }

  /**
   * Runs an NHWC float32 batch of `n` crops; returns logits (head) or pooled features, [n × K]. `proceed` is called
   * when the batch's turn comes and throws if it is no longer wanted (aborted, classifier disposed): it is skipped.
   */
  async run(arch: Architecture, batch: Float32Array, n: number, crop: number, head: boolean, proceed: () => void = () => {}): Promise<Float32Array> {
    if (this.#disposed) throw new UsageError('DISPOSED', 'This classifier was disposed; call load() again to get a new one.');
    this.#pending++;
    try {
      return await this.#run(arch, batch, n, crop, head, proceed);
    } finally {
      if (--this.#pending === 0 && this.#disposeWhenIdle) this.dispose();
    }
  }

  async #run(arch: Architecture, batch: Float32Array, n: number, crop: number, head: boolean, proceed: () => void): Promise<Float32Array> {
    if (this.#int8) {
      proceed();
      return this.#int8.run(batch, n, crop, head);
    }
    return onBackend(() => (this.#int8 ? tf.getBackend() as BackendName : this.backend), async () => {
      proceed();
      const moved = this.#int8 as Int8ResNet | undefined; // the classifier moved to the int8 kernels while this call waited
      if (moved) return moved.run(batch, n, crop, head);
      if (this.backend === 'wasm') return this.#forward(arch, batch, n, crop, head);
      try {
        return await this.#chunked(arch, batch, n, crop, head);
      } catch (e) {
        const lost = await deviceLost();
        const what = lost ? `the WebGPU device was lost (${lost})` : `WebGPU failed: ${(e as Error).message || String(e)}`;
        await this.#fallBack(`${what}; moved to wasm during a run`);
        return this.#int8 ? this.#int8.run(batch, n, crop, head) : this.#forward(arch, batch, n, crop, head);
      }
    });
  }

  /** On WebGPU, images per dispatch are bounded by the adapter's largest buffer. */
  async #chunked(arch: Architecture, batch: Float32Array, n: number, crop: number, head: boolean): Promise<Float32Array> {
    const per = crop * crop * 3;
    const step = Math.max(1, Math.floor(deviceMaxBuffer() / largestActivationBytes(arch, crop)));
    if (step >= n) return guarded(() => this.#forward(arch, batch, n, crop, head));
    const parts: Float32Array[] = [];
    for (let i = 0; i < n; i += step) {
      const m = Math.min(step, n - i);
      parts.push(await guarded(() => this.#forward(arch, batch.subarray(i * per, (i + m) * per), m, crop, head)));
    }
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
    return out;
  }

  async #forward(arch: Architecture, batch: Float32Array, n: number, crop: number, head: boolean): Promise<Float32Array> {
    const out = tf.tidy(() => {
      const pooled = features(arch, this.#layers, tf.tensor4d(batch, [n, crop, crop, 3]));
      return head ? classifierHead(this.#layers, pooled) : pooled;
    });
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** One zero image through the model, so that a backend that cannot run it is found before the first call. */
  async warmUp(arch: Architecture, crop: number): Promise<void> {
    await this.run(arch, new Float32Array(crop * crop * 3), 1, crop, true);
  }

  /** Moves the weights to wasm and records why; runs inside onBackend. */
  async #fallBack(reason: string): Promise<void> {
    const from = this.backend;
    const wasm = await tryWasm(this.request);
    const gpu: BackendAttempt = { ...this.attempts.find((a) => a.backend === 'webgpu')!, ok: false, reason };
    this.attempts = [gpu, wasm];
    if (!wasm.ok) throw noBackend(this.attempts);
    const old = this.#layers;
    this.#int8 = await int8Net(this.#pack!, wasm);
    this.#layers = this.#int8 ? new Map() : uploadLayers(this.#pack!);
    this.#pack = undefined;
    this.backend = 'wasm';
    try {
      disposeLayers(old);
    } catch {
      // The lost device's buffers are gone with it.
    }
    this.onChange({ from, to: 'wasm', reason });
  }

  /** Frees the weights now, or after the runs already started. */
  dispose(): void {
    this.#disposed = true;
    if (this.#pending > 0) {
      this.#disposeWhenIdle = true;
      return;
    }
    const gpu = this.backend === 'webgpu';
    disposeLayers(this.#layers);
    this.#int8?.dispose();
    this.#int8 = undefined;
    this.#pack = undefined;
    if (gpu) releaseFreeBuffers();
  }
}
