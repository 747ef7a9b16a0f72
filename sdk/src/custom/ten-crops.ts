/**
 * Each classifier's ten-crop embedder, registered by the classifier itself, for the custom heads' augmentation: a way
 * in that stays out of the public API (and keeps classifier.ts and custom/ free of an import cycle).
 */
import type { CallOptions } from '../classifier.js';
import type { ImageInput } from '../image/source.js';

type Embedder = (image: ImageInput, options: CallOptions) => Promise<Float32Array[]>;
const embedders = new WeakMap<object, Embedder>();

export function registerTenCrops(classifier: object, embed: Embedder): void {
  embedders.set(classifier, embed);
}

/** The pooled features of the pack's ten crops of `image` (TenCrop: corners, centre, and their mirror images). */
export function embedTenCrops(classifier: object, image: ImageInput, options: CallOptions = {}): Promise<Float32Array[]> {
  return embedders.get(classifier)!(image, options);
}
