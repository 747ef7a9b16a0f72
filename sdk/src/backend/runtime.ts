/**
 * The engine a classifier runs on, and moving it: resnet-edge's WebGPU engine, its int8 kernels, or tfjs' wasm backend
 * (float packs). On WebGPU every run is guarded: if the device is lost or reports an error, an engine is built on wasm
 * from the pack kept for that purpose, the same batch runs again there, and the classifier is told so that it can tell
 * the app.
 */
import type { Pack } from '../pack/read.js';
import type { Engine } from '../engines/engine.js';
import { int8Engine } from '../engines/int8.js';
import { webgpuEngine } from '../engines/webgpu.js';
import { dotText, int8Reason, winogradText, noBackend, tryWasm, type BackendAttempt, type BackendChoice, type BackendName, type BackendRequest } from './choose.js';
import { UsageError } from '../errors.js';
import { exclusive } from './queue.js';
import type { BackendChange } from './change.js';
import { deviceLost } from './webgpu.js';

export type { BackendChange };

/** How the wasm backend runs an int8 pack: on resnet-edge's int8 kernels, or dequantized on tfjs (XNNPACK). */
export type Compute = 'int8' | 'float32';

/**
 * The engine the attempt that won stands for. The int8 kernels may start fewer threads than planned (a CSP that
 * refuses blob: workers): the attempt then says what runs.
 */
async function startEngine(pack: Pack, attempt: BackendAttempt): Promise<Engine> {
  if (attempt.backend === 'webgpu') return webgpuEngine(pack);
  if (attempt.compute !== 'int8') return (await import('../engines/tfjs.js')).tfjsEngine(pack);
  const engine = await int8Engine(pack, attempt.threads ?? 1);
  if (engine.threads < (attempt.threads ?? 1)) {
    Object.assign(attempt, { threads: engine.threads, reason: int8Reason(engine.path, engine.threads, engine.threadsNote) });
  }
  attempt.reason += dotText(engine.path) + winogradText(engine.winograd);
  return engine;
}

export class Runtime {
  backend: BackendName;
  attempts: BackendAttempt[];
  #engine: Engine | undefined;
  /** Kept while on WebGPU, to move to wasm without the network. */
  #pack: Pack | undefined;
  #pending = 0;
  #disposeWhenIdle = false;
  #disposed = false;

  private constructor(choice: BackendChoice, private readonly request: BackendRequest, private readonly onChange: (change: BackendChange) => void) {
    this.backend = choice.backend;
    this.attempts = choice.attempts;
  }

  /** Builds the chosen backend's engine from the pack (the weights uploaded once). */
  static async create(pack: Pack, choice: BackendChoice, request: BackendRequest, onChange: (change: BackendChange) => void): Promise<Runtime> {
    const rt = new Runtime(choice, request, onChange);
    const attempt = choice.attempts.find((a) => a.backend === choice.backend)!;
    if (choice.backend === 'webgpu') rt.#pack = pack;
    // tfjs' backend is global state: its engine starts in the queue's turn, like every run.
    const start = () => startEngine(pack, attempt);
    try {
      rt.#engine = await (attempt.backend === 'wasm' && attempt.compute !== 'int8' ? exclusive(start) : start());
    } catch (e) {
      if (choice.backend !== 'webgpu') throw e;
      await exclusive(() => rt.#fallBack(`WebGPU failed while uploading the model: ${(e as Error).message || String(e)}`));
    }
    return rt;
  }

  /**
   * Runs preprocessed crops; one row per crop: logits (head) or pooled features. `proceed` is called when the batch's
   * turn comes and throws if it is no longer wanted (aborted, classifier disposed): it is skipped.
   */
  async run(crops: Float32Array[], head: boolean, proceed: () => void = () => {}): Promise<Float32Array[]> {
    if (this.#disposed) throw new UsageError('DISPOSED', 'This classifier was disposed; call load() again to get a new one.');
    this.#pending++;
    try {
      return await exclusive(async () => {
        proceed();
        return this.#run(crops, head);
      });
    } finally {
      if (--this.#pending === 0 && this.#disposeWhenIdle) this.dispose();
    }
  }

  async #run(crops: Float32Array[], head: boolean): Promise<Float32Array[]> {
    if (this.#engine!.kind === 'webgpu') {
      try {
        return await this.#engine!.run(crops, head);
      } catch (e) {
        const lost = await deviceLost();
        await this.#fallBack(lost ? `the WebGPU device was lost (${lost}); moved to wasm during a run`
          : `WebGPU failed: ${(e as Error).message || String(e)}; moved to wasm during a run`);
      }
    }
    return this.#engine!.run(crops, head);
  }

  /** One zero image through the model, so that a backend that cannot run it is found before the first call. */
  async warmUp(crop: number): Promise<void> {
    await this.run([new Float32Array(crop * crop * 3)], true);
  }

  /** Builds the engine on wasm and records why; runs in the backend queue's turn. */
  async #fallBack(reason: string): Promise<void> {
    const from = this.backend;
    const wasm = await tryWasm(this.request);
    const gpu: BackendAttempt = { ...this.attempts.find((a) => a.backend === 'webgpu')!, ok: false, reason };
    this.attempts = [gpu, wasm];
    if (!wasm.ok) throw noBackend(this.attempts);
    try {
      this.#engine?.dispose();
    } catch {
      // The lost device's buffers are gone with it.
    }
    this.#engine = await startEngine(this.#pack!, wasm);
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
    this.#engine?.dispose();
    this.#engine = undefined;
    this.#pack = undefined;
  }
}
