/**
 * Your own labels by a linear softmax head on the base classifier's embeddings (train-softmax.ts), and that head
 * exported as a complete pack: the source pack's backbone byte for byte, the new classifier layer in its dtype, the
 * new labels. load() and the CLI take it like any other pack.
 */
import type { CallOptions, Classifier, Prediction } from '../classifier.js';
import { softmax } from '../softmax.js';
import { PackError, UsageError } from '../errors.js';
import type { ImageInput } from '../image/source.js';
import { readPack } from '../pack/read.js';
import { headLogits, type SoftmaxHead } from './train-softmax.js';

export interface LinearClassifyOptions extends CallOptions {
  /** How many labels to return, best first (default: all of them, at most 5). */
  topK?: number;
}

export class LinearClassifier {
  readonly labels: readonly string[];
  /** The share of its examples (the photos themselves, not their augmented copies) the head gets right. */
  readonly trainingAccuracy: number;
  readonly #base: Classifier;
  readonly #head: SoftmaxHead;

  /** @internal KnnClassifier.trainLinear() makes them. */
  constructor(base: Classifier, labels: readonly string[], head: SoftmaxHead, examples: { embedding: Float32Array; index: number }[]) {
    this.#base = base;
    this.labels = Object.freeze([...labels]);
    this.#head = head;
    const argmax = (v: Float64Array) => v.indexOf(Math.max(...v));
    this.trainingAccuracy = examples.filter((e) => argmax(headLogits(head, e.embedding)) === e.index).length / examples.length;
  }

  /** The taught labels for one image, best first, with softmax probabilities. */
  async classify(image: ImageInput, options: LinearClassifyOptions = {}): Promise<Prediction[]> {
    const topK = options.topK ?? Math.min(5, this.labels.length);
    if (!Number.isInteger(topK) || topK < 1 || topK > this.labels.length) {
      throw new UsageError('INVALID_ARGUMENT', `topK must be an integer from 1 to ${this.labels.length} (the labels taught), got ${topK}.`);
    }
    const probs = softmax(Float32Array.from(headLogits(this.#head, await this.#base.embed(image, options))));
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b).slice(0, topK);
    return order.map((index) => ({ label: this.labels[index], index, probability: probs[index] }));
  }

  /**
   * A pack of the base model with this head as its classifier: `source` is the pack the base classifier was loaded
   * from (checked by its sha256). The backbone's tensors are copied as they are; the head is stored in the pack's dtype.
   */
  async toPack(source: Uint8Array, options: { name?: string } = {}): Promise<Uint8Array> {
    const pack = await readPack(source);
    if (pack.manifest.payload.sha256 !== this.#base.model.sha256) {
      throw new PackError('PACK_INVALID', 'This is not the pack the base classifier was loaded from (its sha256 differs): pass that pack\'s bytes.');
    }
    const [{ writePack }, { encodeLayer }] = await Promise.all([import('../convert/write-pack.js'), import('../convert/quantize.js')]);
    const { manifest, payload } = pack;
    // Copies (a Node Buffer's slice() would share its pool's memory).
    const bytesOf = (r: { offset: number; bytes: number }) => new Uint8Array(payload.subarray(r.offset, r.offset + r.bytes));
    const f32 = (r: { offset: number; bytes: number }) => new Float32Array(bytesOf(r).buffer);
    const backbone = manifest.tensors.filter((t) => t.name !== 'fc').map((t) => ({
      layer: { name: t.name, shape: t.shape, weight: new Float32Array(0), bias: f32(t.bias) },
      bytes: bytesOf(t.weight),
      scales: t.scale ? f32(t.scale) : undefined,
      decoded: new Float32Array(0),
    }));
    const { classes, dims } = this.#head;
    const fc = encodeLayer({ name: 'fc', shape: [classes, dims], weight: Float32Array.from(this.#head.weight), bias: Float32Array.from(this.#head.bias) }, manifest.dtype);
    const architecture = { ...manifest.architecture, numClasses: classes };
    return writePack({
      name: options.name ?? `${manifest.name}-custom`, architecture, preprocess: manifest.preprocess, labels: [...this.labels], dtype: manifest.dtype,
    }, [...backbone, fc]);
  }
}
