/** The classifier a user holds: a verified pack on a backend, and the calls that run it. */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from './errors.js';
import type { BackendAttempt, BackendName } from './backend/choose.js';
import { toRawImage, type ImageInput } from './image/source.js';
import type { Architecture, PackManifest, Preprocess, WeightDType } from './pack/format.js';
import { preprocess } from './preprocess.js';
import { classifierHead, features, type Layer } from './net/resnet.js';
import { disposeLayers } from './net/upload.js';

export interface Prediction { label: string; index: number; probability: number }
export interface ClassifyOptions { /** How many classes to return, best first (default 5, at most the class count). */ topK?: number }
export interface ModelInfo {
  name: string; architecture: Architecture; preprocess: Preprocess; labels: readonly string[]; dtype: WeightDType; sha256: string;
}

/** Softmax in float64, from float32 logits. */
export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export class Classifier {
  /** The backend that runs this classifier. */
  readonly backend: BackendName;
  /** Every backend considered and why it was or was not used. */
  readonly diagnostics: readonly BackendAttempt[];
  readonly model: ModelInfo;
  #layers: Map<string, Layer>;
  #disposed = false;

  /** @internal Use load(). */
  constructor(manifest: PackManifest, layers: Map<string, Layer>, backend: BackendName, diagnostics: BackendAttempt[]) {
    const { name, architecture, preprocess: pre, labels, dtype } = manifest;
    this.model = Object.freeze({ name, architecture, preprocess: pre, labels: Object.freeze([...labels]), dtype, sha256: manifest.payload.sha256 });
    this.#layers = layers;
    this.backend = backend;
    this.diagnostics = Object.freeze(diagnostics);
  }

  #check(): void {
    if (this.#disposed) throw new UsageError('DISPOSED', 'This classifier was disposed; call load() again to get a new one.');
  }

  /** Raw class scores (logits) for one image, as a Float32Array of length numClasses. */
  async logits(image: ImageInput): Promise<Float32Array> {
    this.#check();
    const raw = await toRawImage(image);
    const size = this.model.preprocess.crop;
    const input = preprocess(raw, this.model.preprocess);
    this.#check();
    const out = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, size, size, 3]);
      const pooled = features(this.model.architecture, this.#layers, x);
      return classifierHead(this.#layers, pooled);
    });
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** The topK most probable classes for one image, best first. */
  async classify(image: ImageInput, options: ClassifyOptions = {}): Promise<Prediction[]> {
    const n = this.model.architecture.numClasses;
    const topK = options.topK ?? Math.min(5, n);
    if (!Number.isInteger(topK) || topK < 1 || topK > n) {
      throw new UsageError('INVALID_ARGUMENT', `topK must be an integer from 1 to ${n} (the model's class count), got ${topK}.`);
    }
    const probs = softmax(await this.logits(image));
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b).slice(0, topK);
    return order.map((index) => ({ label: this.model.labels[index], index, probability: probs[index] }));
  }

  /** Frees the weights on the backend. Later calls throw a DISPOSED error. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    disposeLayers(this.#layers);
  }
}
