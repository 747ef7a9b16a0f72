/**
 * Your own labels on any ResNet, by nearest neighbours: each example is the classifier's pooled embedding of a photo
 * (the backbone is shared, never copied), L2-normalized; an image is answered by the k examples most similar to it
 * (cosine similarity), each a vote for its label. Examples can be added and removed one at a time, for live teaching;
 * trainLinear() fits a softmax head on the same examples, which can be exported as a pack.
 */
import type { CallOptions, Classifier, Prediction } from '../classifier.js';
import { PackError, UsageError } from '../errors.js';
import type { ImageInput } from '../image/source.js';
import { mirrorRaw } from '../image/raw.js';
import { stageOutWidth } from '../net/plan.js';
import { readKnn, writeKnn } from './knn-file.js';
import { LinearClassifier } from './linear.js';
import { decodeFor, embedTenCrops } from './base-hooks.js';
import { SOFTMAX_DEFAULTS, trainSoftmax, type SoftmaxOptions } from './train-softmax.js';

export interface KnnOptions {
  /** Neighbours that vote (default 3). Fewer examples than k: all of them vote. */
  k?: number;
}

export interface KnnClassifyOptions extends CallOptions {
  /** How many labels to return, best first (default: all of them, at most 5). */
  topK?: number;
}

/** An example: its label, its embedding, and the embedding at unit length (for the cosine similarity). */
/** An example: its label, its embedding, the unit vector of it, and the embeddings of its augmented copies. */
interface Example { label: string; embedding: Float32Array; unit: Float32Array; augmented?: Float32Array[] }

export interface AddExampleOptions extends CallOptions {
  /**
   * Also embed the photo mirrored left to right, as one more example for trainLinear() (augmentation); kNN votes and
   * save() use the photo itself only.
   */
  flip?: boolean;
  /**
   * Also embed the pack's ten crops of the photo (torchvision's TenCrop after the pack's resize: corners, centre and
   * their mirror images) as ten more examples for trainLinear(); includes what flip adds.
   */
  crops?: boolean;
}

/** The embedding scaled to length 1 (a zero vector stays zero: it is similar to nothing). */
export function unitVector(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  return norm > 0 ? v.map((x) => x / norm) : new Float32Array(v.length);
}

const dot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/**
 * Labels ranked for one embedding: votes of the k most similar examples (ties between examples: the one added
 * first), then, between labels with as many votes, the higher best similarity. probability = votes / neighbours.
 */
export function rankLabels(unit: Float32Array, examples: readonly Example[], labels: readonly string[], k: number): Prediction[] {
  const sims = examples.map((e, i) => ({ i, sim: dot(unit, e.unit) })).sort((a, b) => b.sim - a.sim || a.i - b.i);
  const voters = sims.slice(0, Math.min(k, sims.length));
  const votes = new Map<string, number>(), best = new Map<string, number>();
  for (const v of voters) votes.set(examples[v.i].label, (votes.get(examples[v.i].label) ?? 0) + 1);
  for (const s of sims) if (!best.has(examples[s.i].label)) best.set(examples[s.i].label, s.sim);
  const order = labels.map((label, index) => ({ label, index, votes: votes.get(label) ?? 0, best: best.get(label) ?? -Infinity }))
    .sort((a, b) => b.votes - a.votes || b.best - a.best || a.index - b.index);
  return order.map(({ label, index, votes: n }) => ({ label, index, probability: n / voters.length }));
}

/** Values in an embedding: the last stage's output channels. */
const embeddingWidth = (a: Classifier['model']['architecture']) => stageOutWidth(a, a.stages.length - 1);

export class KnnClassifier {
  readonly k: number;
  readonly #base: Classifier;
  readonly #examples = new Map<number, Example>();
  #nextId = 1;

  /** @internal Classifier.knn() makes them. */
  constructor(base: Classifier, options: KnnOptions = {}) {
    const k = options.k ?? 3;
    if (!Number.isInteger(k) || k < 1 || k > 1000) throw new UsageError('INVALID_ARGUMENT', `k must be an integer from 1 to 1000, got ${k}.`);
    this.#base = base;
    this.k = k;
  }

  /** The labels taught so far, in the order they were first given (a Prediction's index is a position here). */
  get labels(): string[] {
    return [...new Set([...this.#examples.values()].map((e) => e.label))];
  }

  /** How many examples each label has. */
  get counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.#examples.values()) out[e.label] = (out[e.label] ?? 0) + 1;
    return out;
  }

  /** Embeds `image` with the base classifier and keeps it as an example of `label`; returns its id (for removeExample). */
  async addExample(image: ImageInput, label: string, options: AddExampleOptions = {}): Promise<number> {
    if (typeof label !== 'string' || label.length === 0 || label.length > 200) {
      throw new UsageError('INVALID_ARGUMENT', `label must be a non-empty string of at most 200 characters, got ${JSON.stringify(label)}.`);
    }
    if (!options.flip && !options.crops) return this.#add(label, await this.#base.embed(image, options));
    const raw = await decodeFor(this.#base, image); // decoded once for all
    const embedding = await this.#base.embed(raw, options);
    const augmented = options.crops ? await embedTenCrops(this.#base, raw, options) : [await this.#base.embed(mirrorRaw(raw), options)];
    return this.#add(label, embedding, augmented);
  }

  #add(label: string, embedding: Float32Array, augmented?: Float32Array[]): number {
    const id = this.#nextId++;
    this.#examples.set(id, { label, embedding, unit: unitVector(embedding), augmented });
    return id;
  }

  /** The examples as a small file (see knn-file.ts): Classifier.loadKnn() on the same model reads it back. */
  save(): Uint8Array {
    const { name, sha256, architecture } = this.#base.model;
    return writeKnn({ k: this.k, dims: embeddingWidth(architecture), model: { name, sha256 }, labels: this.labels, examples: [...this.#examples.values()] });
  }

  /** @internal Classifier.loadKnn() reads them. */
  static fromFile(base: Classifier, bytes: Uint8Array): KnnClassifier {
    const file = readKnn(bytes, embeddingWidth(base.model.architecture));
    if (file.model.sha256 !== base.model.sha256) {
      throw new PackError('PACK_INVALID', `This kNN file was taught on ${JSON.stringify(file.model.name)} (payload sha256 ${file.model.sha256.slice(0, 12)}…), `
        + `not on the loaded model ${JSON.stringify(base.model.name)}: load that pack, or teach this one again.`);
    }
    const knn = new KnnClassifier(base, { k: file.k });
    for (const e of file.examples) knn.#add(e.label, e.embedding);
    return knn;
  }

  /** Forgets one example; false when there is none with that id. */
  removeExample(id: number): boolean {
    return this.#examples.delete(id);
  }

  /** Forgets every example of `label`; returns how many. */
  removeLabel(label: string): number {
    let n = 0;
    for (const [id, e] of this.#examples) if (e.label === label && this.#examples.delete(id)) n++;
    return n;
  }

  /**
   * A linear softmax head trained on these examples (deterministic: the same examples give the same head; see
   * train-softmax.ts for the algorithm), answering with the same labels; at least two labels are needed.
   */
  trainLinear(options: SoftmaxOptions = {}): LinearClassifier {
    const labels = this.labels;
    if (labels.length < 2) throw new UsageError('INVALID_ARGUMENT', `A linear head needs examples of at least 2 labels; this one has ${labels.length}.`);
    for (const [key, max] of [['epochs', 100_000], ['learningRate', 10], ['weightDecay', 10]] as const) {
      const v = options[key] ?? SOFTMAX_DEFAULTS[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max || (key === 'epochs' && (!Number.isInteger(v) || v < 1))) {
        throw new UsageError('INVALID_ARGUMENT', `${key} must be a ${key === 'epochs' ? 'whole number from 1' : 'number from 0'} to ${max}, got ${v}.`);
      }
    }
    const x: Float32Array[] = [], y: number[] = [];
    for (const e of this.#examples.values()) {
      for (const v of [e.embedding, ...(e.augmented ?? [])]) { x.push(v); y.push(labels.indexOf(e.label)); }
    }
    const head = trainSoftmax(x, y, labels.length, options);
    const originals = [...this.#examples.values()].map((e) => ({ embedding: e.embedding, index: labels.indexOf(e.label) }));
    return new LinearClassifier(this.#base, labels, head, originals);
  }

  /** The taught labels for one image, best first, with the share of the k nearest examples that voted for each. */
  async classify(image: ImageInput, options: KnnClassifyOptions = {}): Promise<Prediction[]> {
    const labels = this.labels;
    if (labels.length === 0) throw new UsageError('INVALID_ARGUMENT', 'This classifier has no examples yet: teach it with addExample(image, label) first.');
    const topK = options.topK ?? Math.min(5, labels.length);
    if (!Number.isInteger(topK) || topK < 1 || topK > labels.length) {
      throw new UsageError('INVALID_ARGUMENT', `topK must be an integer from 1 to ${labels.length} (the labels taught), got ${topK}.`);
    }
    const unit = unitVector(await this.#base.embed(image, options));
    return rankLabels(unit, [...this.#examples.values()], labels, this.k).slice(0, topK);
  }
}
