/**
 * The resnet-edge pack: one self-describing, streamable file.
 *
 *   offset 0   8 bytes  magic "RNEDGEPK"
 *          8   u32 LE   format version (PACK_VERSION)
 *         12   u32 LE   manifest length M in bytes (at most MAX_MANIFEST_BYTES)
 *         16   M bytes  manifest, UTF-8 JSON (PackManifest)
 *              zero padding up to a multiple of 16
 *          P   N bytes  payload; N = manifest.payload.bytes, sha256 = manifest.payload.sha256
 *        P+N   end of file (anything after it is an error)
 *
 * Every tensor lives in the payload at a 16-byte aligned offset. Weights keep PyTorch's layout
 * ([out, in, kh, kw] for convolutions, [out, in] for the classifier). int8 weights are symmetric with
 * one fp32 scale per output channel; biases are always fp32 (BatchNorm already folded in).
 */
export const PACK_MAGIC = 'RNEDGEPK';
export const PACK_VERSION = 1;
export const HEADER_BYTES = 16;
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Largest payload a pack may declare: ResNet-152 in float32 is 240 MB. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;
export const PAYLOAD_ALIGN = 16;

export type WeightDType = 'int8' | 'float16' | 'float32';
export type BlockType = 'basic' | 'bottleneck';
/** A: zero-padded identity where the shape changes; B: projection where it changes; C: projection on every block. */
export type ShortcutType = 'A' | 'B' | 'C';

export interface Architecture {
  /** Stem convolution: kernel 7 stride 2 + 3×3/2 max-pool (ImageNet) or kernel 3 stride 1 (CIFAR). */
  stem: { kernel: number; stride: number; width: number; maxPool: boolean };
  block: BlockType;
  /**
   * Bottlenecks only: where a strided block's stride sits. true: on its first 1×1 convolution
   * (the paper's original ResNet, Caffe, Keras, TensorFlow: "v1"); absent or false: on the 3×3 (torchvision: "v1.5").
   */
  strideIn1x1?: boolean;
  /** Per stage: block count, inner width (a bottleneck outputs 4× this), stride of the first block. */
  stages: { blocks: number; width: number; stride: number }[];
  shortcut: ShortcutType;
  numClasses: number;
  /** Number of weighted layers, as in the paper's names (ResNet-50, ResNet-20, …). */
  depth: number;
}

export interface Preprocess {
  /** Shorter side is resized to this (PIL bilinear with antialiasing), as torchvision's Resize(int). */
  resize: number;
  /** Centre crop to crop×crop, as torchvision's CenterCrop. */
  crop: number;
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'RGB';
  interpolation: 'bilinear';
}

export interface ByteRange { offset: number; bytes: number }

export interface TensorEntry {
  name: string;
  /** [out, in, kh, kw] for a convolution, [out, in] for the classifier. */
  shape: number[];
  dtype: WeightDType;
  weight: ByteRange;
  /** fp32, one per output channel; present exactly when dtype is int8. */
  scale?: ByteRange;
  /** fp32, one per output channel. */
  bias: ByteRange;
}

export interface PackManifest {
  format: 'resnet-edge-pack';
  version: number;
  name: string;
  architecture: Architecture;
  preprocess: Preprocess;
  labels: string[];
  dtype: WeightDType;
  tensors: TensorEntry[];
  payload: { bytes: number; sha256: string };
  /** Free-form provenance written by the converter (source file, quantization error). */
  source?: Record<string, unknown>;
}

export const DTYPE_BYTES: Record<WeightDType, number> = { int8: 1, float16: 2, float32: 4 };

export const align = (n: number, to = PAYLOAD_ALIGN): number => Math.ceil(n / to) * to;
