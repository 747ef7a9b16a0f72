/**
 * What the custom heads reach of their base classifier outside the public API, registered by the classifier itself
 * (which keeps classifier.ts and custom/ free of an import cycle): its ten-crop embedder (augmentation) and its image
 * decoder (load()'s preprocess mode applies to taught photos too).
 */
import type { CallOptions } from '../classifier.js';
import type { ImageInput } from '../image/source.js';
import type { RawImage } from '../image/raw.js';

type Embedder = (image: ImageInput, options: CallOptions) => Promise<Float32Array[]>;
type Decoder = (image: ImageInput) => Promise<RawImage>;
const embedders = new WeakMap<object, Embedder>();
const decoders = new WeakMap<object, Decoder>();

export function registerTenCrops(classifier: object, embed: Embedder): void {
  embedders.set(classifier, embed);
}

export function registerImageDecoder(classifier: object, decode: Decoder): void {
  decoders.set(classifier, decode);
}

/** The pooled features of the pack's ten crops of `image` (TenCrop: corners, centre, and their mirror images). */
export function embedTenCrops(classifier: object, image: ImageInput, options: CallOptions = {}): Promise<Float32Array[]> {
  return embedders.get(classifier)!(image, options);
}

/** `image`'s pixels as the classifier decodes them (its preprocess mode). */
export function decodeFor(classifier: object, image: ImageInput): Promise<RawImage> {
  return decoders.get(classifier)!(image);
}
