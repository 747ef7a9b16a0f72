/** The classifier a user holds: a verified pack on a backend, and the calls that run it. */
import { UsageError } from './errors.js';
import { softmax } from './softmax.js';
import type { BackendAttempt, BackendName } from './backend/choose.js';
import type { Runtime } from './backend/runtime.js';
import type { BackendChange } from './backend/change.js';
import { imagePixels, toRawImage, type ImageInput } from './image/source.js';
import type { Architecture, PackManifest, Preprocess, WeightDType } from './pack/format.js';
import type { PackOrigin } from './pack/source.js';
import { preprocess, tenCrops } from './preprocess.js';
import { KnnClassifier, type KnnOptions } from './custom/knn.js';
import { registerImageDecoder, registerTenCrops } from './custom/base-hooks.js';
import type { RawImage } from './image/raw.js';
import type { ResizeWindow } from './image/resample.js';

/** How images are decoded and resized (load()'s preprocess option). */
export type PreprocessMode = 'exact' | 'fast';

export interface Prediction { label: string; index: number; probability: number }
export interface CallOptions {
  /** Aborts this call: it rejects with the signal's reason (an AbortError) and its queued work is skipped. */
  signal?: AbortSignal;
}
export interface ClassifyOptions extends CallOptions {
  /** How many classes to return, best first (default 5, at most the class count). */
  topK?: number;
  /** 1 (default): the centre crop. 10: the paper's 10-crop test (4 corners + centre and their mirror images), probabilities averaged. */
  crops?: 1 | 10;
}

/** Throws when the call must stop: the classifier was disposed or the call's signal aborted. */
type Checkpoint = () => void;
export interface ModelInfo {
  name: string; architecture: Architecture; preprocess: Preprocess; labels: readonly string[]; dtype: WeightDType;
  /** sha256 of the pack's payload (from its manifest, verified). */
  sha256: string;
  /** Where the pack came from: memory, file, network or the browser cache. */
  origin: PackOrigin;
  /** load()'s preprocess option: 'exact' (torchvision's pixels) or 'fast' (large JPEGs decoded downscaled). */
  preprocessMode: PreprocessMode;
}

/** Dispatched on a Classifier as 'backendchange' when it moves to another backend by itself (WebGPU lost or failing). */
export class BackendChangeEvent extends Event {
  readonly from: BackendName;
  readonly to: BackendName;
  /** What went wrong on the old backend. */
  readonly reason: string;
  constructor({ from, to, reason }: BackendChange) {
    super('backendchange');
    this.from = from;
    this.to = to;
    this.reason = reason;
  }
}

/** EventTarget's own parameter types, which Node and the DOM library both declare (under different names). */
type Listener = Parameters<EventTarget['addEventListener']>[1];
type AddOptions = Parameters<EventTarget['addEventListener']>[2];
type RemoveOptions = Parameters<EventTarget['removeEventListener']>[2];

/** The events a Classifier dispatches, by type. */
export interface ClassifierEventMap { backendchange: BackendChangeEvent }

export class Classifier extends EventTarget {
  readonly model: ModelInfo;
  #runtime: Runtime;
  #disposed = false;
  /** The calls not settled yet: dispose() rejects them. */
  #pending = new Set<(e: unknown) => void>();

  /** @internal load() makes classifiers. */
  static create(manifest: PackManifest, runtime: Runtime, origin: PackOrigin, mode: PreprocessMode): Classifier {
    return new Classifier(manifest, runtime, origin, mode);
  }

  private constructor(manifest: PackManifest, runtime: Runtime, origin: PackOrigin, preprocessMode: PreprocessMode) {
    super();
    const { name, architecture, preprocess: pre, labels, dtype } = manifest;
    this.model = Object.freeze({ name, architecture, preprocess: pre, labels: Object.freeze([...labels]), dtype, sha256: manifest.payload.sha256, origin, preprocessMode });
    this.#runtime = runtime;
    registerImageDecoder(this, (image) => toRawImage(image, this.#minSide));
    registerTenCrops(this, (image, options) => this.#call(options.signal, async (cp) => this.#run(await this.#tenCrops(image, cp), false, cp)));
  }

  /** 'backendchange' listeners get a BackendChangeEvent (from, to, reason). */
  override addEventListener<K extends keyof ClassifierEventMap>(type: K, listener: ((event: ClassifierEventMap[K]) => void) | null, options?: AddOptions): void;
  override addEventListener(type: string, listener: Listener, options?: AddOptions): void;
  override addEventListener(type: string, listener: Listener, options?: AddOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof ClassifierEventMap>(type: K, listener: ((event: ClassifierEventMap[K]) => void) | null, options?: RemoveOptions): void;
  override removeEventListener(type: string, listener: Listener, options?: RemoveOptions): void;
  override removeEventListener(type: string, listener: Listener, options?: RemoveOptions): void {
    super.removeEventListener(type, listener, options);
  }

  /** The backend that runs this classifier now ('webgpu' can become 'wasm' at run time: see 'backendchange'). */
  get backend(): BackendName {
    return this.#runtime.backend;
  }

  /** Every backend considered and why it was or was not used (updated when the classifier moves). */
  get diagnostics(): readonly BackendAttempt[] {
    return Object.freeze(this.#runtime.attempts.map((a) => Object.freeze({ ...a })));
  }

  #check(): void {
    if (this.#disposed) throw disposedError('This classifier was disposed; call load() again to get a new one.');
  }

  /**
   * Runs one public call: it settles when `work` does, or as soon as its signal aborts or the classifier is disposed.
   * `work` gets a checkpoint to call between its steps, so that abandoned work stops at the next one.
   */
  #call<T>(signal: AbortSignal | undefined, work: (checkpoint: Checkpoint) => Promise<T>): Promise<T> {
    this.#check();
    signal?.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const checkpoint = () => { if (settled) throw new Error('abandoned'); };
      const settle = (ok: boolean, v: unknown) => {
        if (settled) return;
        settled = true;
        this.#pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
        if (ok) resolve(v as T); else reject(v);
      };
      const fail = (e: unknown) => settle(false, e);
      const onAbort = () => fail(signal!.reason);
      this.#pending.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      work(checkpoint).then((v) => settle(true, v), fail);
    });
  }

  /** Runs preprocessed crops; one row per crop: logits (head) or pooled features. */
  #run(crops: Float32Array[], head: boolean, checkpoint: Checkpoint): Promise<Float32Array[]> {
    checkpoint();
    return this.#runtime.run(crops, head, checkpoint);
  }

  /** With preprocess 'fast', a large JPEG is decoded at a DCT scale that keeps the resize's size. */
  get #minSide(): number | undefined {
    return this.model.preprocessMode === 'fast' ? this.model.preprocess.resize : undefined;
  }

  /** The model inputs `crops` makes of the image's pixels, read where the decoder left them. */
  async #inputs<T>(image: ImageInput, checkpoint: Checkpoint, crops: (raw: RawImage, p: Preprocess, resize?: ResizeWindow) => T): Promise<T> {
    const pixels = await imagePixels(image, this.#minSide);
    try {
      checkpoint();
      return crops(pixels.image, this.model.preprocess, pixels.resizeWindow);
    } finally {
      pixels.release();
    }
  }

  #centre(image: ImageInput, checkpoint: Checkpoint): Promise<Float32Array> {
    return this.#inputs(image, checkpoint, preprocess);
  }

  #tenCrops(image: ImageInput, checkpoint: Checkpoint): Promise<Float32Array[]> {
    return this.#inputs(image, checkpoint, tenCrops);
  }

  /** Raw class scores (logits) for one image (centre crop), as a Float32Array of length numClasses. */
  async logits(image: ImageInput, options: CallOptions = {}): Promise<Float32Array> {
    return this.#call(options.signal, async (cp) => (await this.#run([await this.#centre(image, cp)], true, cp))[0]);
  }

  /** The pooled features before the classifier (global average pool of the last stage), one image. */
  async embed(image: ImageInput, options: CallOptions = {}): Promise<Float32Array> {
    return this.#call(options.signal, async (cp) => (await this.#run([await this.#centre(image, cp)], false, cp))[0]);
  }

  /** The topK most probable classes for one image, best first. */
  async classify(image: ImageInput, options: ClassifyOptions = {}): Promise<Prediction[]> {
    const n = this.model.architecture.numClasses;
    const topK = options.topK ?? Math.min(5, n), crops = options.crops ?? 1;
    if (!Number.isInteger(topK) || topK < 1 || topK > n) {
      throw new UsageError('INVALID_ARGUMENT', `topK must be an integer from 1 to ${n} (the model's class count), got ${topK}.`);
    }
    if (crops !== 1 && crops !== 10) throw new UsageError('INVALID_ARGUMENT', `crops must be 1 or 10, got ${crops}.`);
    return this.#call(options.signal, async (cp) => {
      let probs: Float64Array;
      if (crops === 1) {
        probs = softmax((await this.#run([await this.#centre(image, cp)], true, cp))[0]);
      } else {
        const rows = await this.#run(await this.#tenCrops(image, cp), true, cp);
        probs = new Float64Array(n);
        for (const row of rows) softmax(row).forEach((p, i) => { probs[i] += p / rows.length; });
      }
      const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b).slice(0, topK);
      return order.map((index) => ({ label: this.model.labels[index], index, probability: probs[index] }));
    });
  }

  /**
   * A classifier of your own labels on this one's embeddings, by nearest neighbours: teach it with
   * addExample(image, label). It shares this classifier's backbone (disposing this one ends it too).
   */
  knn(options: KnnOptions = {}): KnnClassifier {
    this.#check();
    return new KnnClassifier(this, options);
  }

  /** A kNN classifier saved with knn.save() on this same model (its sha256 is checked); a bad file is a PackError. */
  loadKnn(file: Uint8Array): KnnClassifier {
    this.#check();
    return KnnClassifier.fromFile(this, file);
  }

  /**
   * Frees the weights on the backend. Calls still pending reject with a DISPOSED error (work already running on
   * the backend finishes first, then everything is freed); later calls throw DISPOSED.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const pending = [...this.#pending];
    for (const fail of pending) fail(disposedError('The classifier was disposed while this call was pending.'));
    this.#runtime.dispose();
  }
}

const disposedError = (message: string) => new UsageError('DISPOSED', message);
