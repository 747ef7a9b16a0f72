/** ONNX / safetensors bytes -> a verified pack, with the quantization error of every layer. */
import { ModelFormatError } from '../errors.js';
import { CIFAR10_LABELS, IMAGENET_LABELS, type Architecture, type Preprocess, type WeightDType } from '../pack.js';
import { inferArchitecture } from './infer.js';
import { readOnnx } from './onnx.js';
import { resnetFromOnnx } from './onnx-resnet.js';
import { encodeLayer, layerError, type LayerError } from './quantize.js';
import { readSafetensors } from './safetensors.js';
import { resnetFromStateDict } from './state-dict-resnet.js';
import type { SourceResnet } from './tensor.js';
import { writePack } from './write-pack.js';

export type SourceFormat = 'onnx' | 'safetensors';

export interface ConvertOptions {
  /** Weight encoding: 'int8' (default), 'float16' or 'float32'. */
  dtype?: WeightDType;
  /** Pack name (default: resnet<depth> or cifar-resnet<depth>). */
  name?: string;
  /** Class names, one per output (default: ImageNet-1k for 1000 classes, CIFAR-10 for 10, else class_<i>). */
  labels?: string[];
  /** Preprocessing overrides; defaults: Resize(256)+CenterCrop(224) for ImageNet stems, 32/32 for CIFAR, ImageNet mean/std. */
  preprocess?: Partial<Pick<Preprocess, 'resize' | 'crop' | 'mean' | 'std'>>;
  /** Input format; detected from the bytes when omitted. */
  format?: SourceFormat;
}

export interface QuantizationReport {
  dtype: WeightDType;
  layers: LayerError[];
  /** Over all weights: ‖w − ŵ‖/‖w‖, SQNR in dB and the largest absolute error. */
  total: { relativeError: number; sqnrDb: number; maxAbsError: number };
  parameters: number;
}

export interface ConvertResult { pack: Uint8Array; architecture: Architecture; report: QuantizationReport; name: string }

/** Tells ONNX (protobuf, ir_version first) from safetensors (u64 header length, then '{'). */
export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (bytes.length >= 9 && bytes[8] === 0x7b && Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)) < bytes.length) {
    return 'safetensors';
  }
  if (bytes[0] === 0x08) return 'onnx';
  throw new ModelFormatError('MODEL_FORMAT', 'The file is neither ONNX nor safetensors. Export the model with torch.onnx.export, or save its state_dict with safetensors.');
}

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

function defaultLabels(n: number): string[] {
  if (n === IMAGENET_LABELS.length) return [...IMAGENET_LABELS];
  if (n === CIFAR10_LABELS.length) return [...CIFAR10_LABELS];
  return Array.from({ length: n }, (_, i) => `class_${i}`);
}

export function readSource(bytes: Uint8Array, format = detectFormat(bytes)): SourceResnet {
  return format === 'onnx' ? resnetFromOnnx(readOnnx(bytes)) : resnetFromStateDict(readSafetensors(bytes));
}

export async function convert(bytes: Uint8Array, options: ConvertOptions = {}): Promise<ConvertResult> {
  const dtype = options.dtype ?? 'int8';
  if (!['int8', 'float16', 'float32'].includes(dtype)) throw new ModelFormatError('MODEL_FORMAT', `Unknown dtype ${dtype}: use int8, float16 or float32.`);
  const { architecture, layers } = inferArchitecture(readSource(bytes, options.format));
  const imagenet = architecture.stem.maxPool;
  const labels = options.labels ?? defaultLabels(architecture.numClasses);
  if (labels.length !== architecture.numClasses) {
    throw new ModelFormatError('MODEL_FORMAT', `${labels.length} labels given for a model with ${architecture.numClasses} classes.`);
  }
  const preprocess: Preprocess = {
    resize: imagenet ? 256 : 32, crop: imagenet ? 224 : 32, mean: IMAGENET_MEAN, std: IMAGENET_STD,
    ...options.preprocess, channelOrder: 'RGB', interpolation: 'bilinear',
  };
  const name = options.name ?? `${imagenet ? 'resnet' : 'cifar-resnet'}${architecture.depth}`;
  const encoded = layers.map((l) => encodeLayer(l, dtype));
  const errors = encoded.map(layerError);
  const sumSq = errors.reduce((a, e) => a + e.sumSq, 0), errSq = errors.reduce((a, e) => a + e.errSq, 0);
  const report: QuantizationReport = {
    dtype,
    layers: errors.map(({ name: n, relativeError, maxAbsError, sqnrDb }) => ({ name: n, relativeError, maxAbsError, sqnrDb })),
    total: {
      relativeError: sumSq > 0 ? Math.sqrt(errSq / sumSq) : 0,
      sqnrDb: errSq > 0 ? 10 * Math.log10(sumSq / errSq) : Infinity,
      maxAbsError: Math.max(...errors.map((e) => e.maxAbsError)),
    },
    parameters: layers.reduce((a, l) => a + l.weight.length + l.bias.length, 0),
  };
  const pack = await writePack({
    name, architecture, preprocess, labels, dtype,
    source: { converter: 'resnet-edge', quantization: { relativeError: report.total.relativeError, sqnrDb: report.total.sqnrDb } },
  }, encoded);
  return { pack, architecture, report, name };
}
