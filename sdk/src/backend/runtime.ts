/**
 * Where a classifier's weights live and how a batch runs on them: resnet-edge's WebGPU engine, its int8 kernels, or
 * tfjs' wasm backend (float packs). On WebGPU every run is guarded: if the device is lost or reports an error, the
 * weights are loaded on wasm from the pack kept for that purpose, the same batch runs again there, and the classifier
 * is told so that it can tell the app.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Architecture } from '../pack/format.js';
import type { Pack } from '../pack/read.js';
import { classifierHead, features, type Layer } from '../net/resnet.js';
import { disposeLayers, uploadLayers } from '../net/upload.js';
import { Int8ResNet } from '../int8/resnet.js';
import { WebgpuResNet } from '../webgpu/engine.js';
import { noBackend, tryWasm, type BackendAttempt, type BackendChoice, type BackendName, type BackendRequest } from './choose.js';
import { UsageError } from '../errors.js';
import { exclusive } from './queue.js';
import type { BackendChange } from './change.js';

export type { BackendChange };
import { currentDevice, deviceLost, guarded } from './webgpu.js';

/**
 * Runs `work` in turn with every other backend use of the page (see queue.ts), with tfjs on its wasm backend when
 * `tfjs` says the work computes there.
 */
function inTurn<T>(tfjs: () => boolean, work: () => Promise<T>): Promise<T> {
  return exclusive(async () => {
    if (tfjs() && tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
    return work();
  });
}


/** How the wasm backend runs an int8 pack: on resnet-edge's int8 kernels, or dequantized on tfjs (XNNPACK). */
export type Compute = 'int8' | 'float32';

/** The WebGPU engine on the current device: float16 storage for a float16 pack where the adapter has shader-f16. */
async function gpuNet(pack: Pack): Promise<WebgpuResNet> {
  const info = currentDevice();
  if (!info) throw new Error('the WebGPU device was lost before the model was uploaded');
  const precision = pack.manifest.dtype === 'float16' && info.f16 ? 'f16' : 'f32';
  // A CPU emulation runs every workgroup one after another: splitting K there only adds work.
  const options = { maxBufferBytes: info.maxBufferBytes, splitTarget: info.software ? 0 : undefined };
  return guarded(() => WebgpuResNet.create(info.device, pack, pack.manifest.preprocess.crop, precision, options));
}

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
  /** tfjs tensors: a float pack on wasm. */
  #layers = new Map<string, Layer>();
  #int8: Int8ResNet | undefined;
  #gpu: WebgpuResNet | undefined;
  /** Kept while on WebGPU, to move to wasm without the network. */
  #pack: Pack | undefined;
  #pending = 0;
  #disposeWhenIdle = false;
  #disposed = false;

  private constructor(choice: BackendChoice, private readonly request: BackendRequest, private readonly onChange: (change: BackendChange) => void) {
    this.backend = choice.backend;
    this.attempts = choice.attempts;
  }

  /** Puts the pack's weights where the chosen backend computes: the WebGPU engine, the int8 kernels, or tfjs tensors. */
  static async create(pack: Pack, choice: BackendChoice, request: BackendRequest, onChange: (change: BackendChange) => void): Promise<Runtime> {
    const rt = new Runtime(choice, request, onChange);
    if (choice.backend === 'webgpu') {
      rt.#pack = pack;
      try {
        rt.#gpu = await gpuNet(pack);
      } catch (e) {
        await exclusive(() => rt.#fallBack(`WebGPU failed while uploading the model: ${(e as Error).message || String(e)}`));
      }
      return rt;
    }
    rt.#int8 = await int8Net(pack, choice.attempts.find((a) => a.backend === choice.backend));
    if (!rt.#int8) await inTurn(() => true, async () => { rt.#layers = uploadLayers(pack); });
    return rt;
  }

  /**
   * Runs an NHWC float32 batch of `n` crops; returns logits (head) or pooled features, [n × K]. `proceed` is called
   * when the batch's turn comes and throws if it is no longer wanted (aborted, classifier disposed): it is skipped.
   */
  async run(arch: Architecture, batch: Float32Array, n: number, crop: number, head: boolean, proceed: () => void = () => {}): Promise<Float32Array> {
    if (this.#disposed) throw new UsageError('DISPOSED', 'This classifier was disposed; call load() again to get a new one.');
    this.#pending++;
    try {
      return await inTurn(() => this.#layers.size > 0, async () => {
        proceed();
        return this.#run(arch, batch, n, crop, head);
      });
    } finally {
      if (--this.#pending === 0 && this.#disposeWhenIdle) this.dispose();
    }
  }

  async #run(arch: Architecture, batch: Float32Array, n: number, crop: number, head: boolean): Promise<Float32Array> {
    const gpu = this.#gpu;
    if (gpu) {
      try {
        return await guarded(() => gpu.run(batch, n, head));
      } catch (e) {
        const lost = await deviceLost();
        await this.#fallBack(lost ? `the WebGPU device was lost (${lost}); moved to wasm during a run`
          : `WebGPU failed: ${(e as Error).message || String(e)}; moved to wasm during a run`);
      }
    }
    if (this.#int8) return this.#int8.run(batch, n, crop, head);
    if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
    return this.#forward(arch, batch, n, crop, head);
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

  /** Moves the weights to wasm and records why; runs in the backend queue's turn. */
  async #fallBack(reason: string): Promise<void> {
    const from = this.backend;
    const wasm = await tryWasm(this.request);
    const gpu: BackendAttempt = { ...this.attempts.find((a) => a.backend === 'webgpu')!, ok: false, reason };
    this.attempts = [gpu, wasm];
    if (!wasm.ok) throw noBackend(this.attempts);
    try {
      this.#gpu?.dispose();
    } catch {
      // The lost device's buffers are gone with it.
    }
    this.#gpu = undefined;
    this.#int8 = await int8Net(this.#pack!, wasm);
    if (!this.#int8) {
      if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
      this.#layers = uploadLayers(this.#pack!);
    }
    this.#pack = undefined;
    this.backend = 'wasm';
    this.onChange({ from, to: 'wasm', reason });
  }

  /** Frees the weights now, or after the runs already started. */
  dispose(): void {
    this.#disposed = true;
    if (this.#pending > 0) {
      this.#disposeWhenIdle = true;
      return;
    }
    disposeLayers(this.#layers);
    this.#int8?.dispose();
    this.#int8 = undefined;
    this.#gpu?.dispose();
    this.#gpu = undefined;
    this.#pack = undefined;
  }
}
