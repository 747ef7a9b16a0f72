/** ONNX / safetensors / PyTorch checkpoint bytes -> a verified pack, with the quantization error of every layer. */
import { ModelFormatError } from '../errors.js';
import { CIFAR10_LABELS, IMAGENET_LABELS, type Architecture, type Preprocess, type WeightDType } from '../pack.js';
import { inferArchitecture } from './infer.js';
import { readOnnx } from './onnx.js';
import { resnetFromOnnx } from './onnx-resnet.js';
import { encodeLayer, layerError, type LayerError } from './quantize.js';
import { readSafetensors } from './safetensors.js';
import { resnetFromStateDict } from './state-dict-resnet.js';
import { isTorch, readTorch } from './torch.js';
import type { SourceResnet } from './tensor.js';
import { writePack } from './write-pack.js';

export type SourceFormat = 'onnx' | 'safetensors' | 'pytorch';

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
  /**
   * State dicts (safetensors, PyTorch) of bottleneck ResNets hold no strides: true puts a strided block's stride on its
   * first 1×1 (the paper's original ResNet, as in Caffe, Keras and TensorFlow: "v1"); default: on the 3×3
   * (torchvision: "v1.5"). ONNX graphs record their strides, which decide.
   */
  strideIn1x1?: boolean;
}

export interface QuantizationReport {
  dtype: WeightDType;
  layers: LayerError[];
  /** Over all weights: ‖w − ŵ‖/‖w‖, SQNR in dB and the largest absolute error. */
  total: { relativeError: number; sqnrDb: number; maxAbsError: number };
  parameters: number;
}

export interface ConvertResult {
  pack: Uint8Array; architecture: Architecture; report: QuantizationReport; name: string;
  /** What the converter assumed and the user may want to know (e.g. where a state dict's strides were put). */
  notes: string[];
}

/** Tells ONNX (protobuf, ir_version first), safetensors (u64 header length, then '{') and torch.save files (zip, legacy pickle) apart. */
export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (isTorch(bytes)) return 'pytorch';
  if (bytes.length >= 9 && bytes[8] === 0x7b && Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)) < bytes.length) {
    return 'safetensors';
  }
  if (bytes[0] === 0x08) return 'onnx';
  throw new ModelFormatError('MODEL_FORMAT', 'The file is neither ONNX, safetensors nor a PyTorch checkpoint (torch.save). Save the model\'s state_dict with torch.save or safetensors, or export it with torch.onnx.export.');
}

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

function defaultLabels(n: number): string[] {
  if (n === IMAGENET_LABELS.length) return [...IMAGENET_LABELS];
  if (n === CIFAR10_LABELS.length) return [...CIFAR10_LABELS];
  return Array.from({ length: n }, (_, i) => `class_${i}`);
}

export function readSource(bytes: Uint8Array, format = detectFormat(bytes), strideIn1x1 = false): SourceResnet {
  if (format === 'onnx') return resnetFromOnnx(readOnnx(bytes));
  return resnetFromStateDict(format === 'pytorch' ? readTorch(bytes) : readSafetensors(bytes), strideIn1x1);
}

/** The note a bottleneck state dict gets: its strides were a guess. */
function strideNote(format: SourceFormat, a: Architecture, asked: boolean | undefined): string[] {
  if (a.block !== 'bottleneck') return [];
  if (format === 'onnx') {
    return asked === undefined ? [] : [`strideIn1x1 ignored: the ONNX graph records its strides (${a.strideIn1x1 ? 'on the first 1×1, v1' : 'on the 3×3, v1.5'}).`];
  }
  if (asked !== undefined) return [];
  return ['A state dict holds no strides: the bottlenecks were taken as torchvision\'s, stride on the 3×3 ("v1.5"). If these '
    + 'are the original ResNet\'s weights (Caffe, Keras, TensorFlow: "v1", stride on the first 1×1), convert with '
    + '--stride-in-1x1 (strideIn1x1: true): the other choice gives wrong answers, not an error.'];
}

export async function convert(bytes: Uint8Array, options: ConvertOptions = {}): Promise<ConvertResult> {
  const dtype = options.dtype ?? 'int8';
  if (!['int8', 'float16', 'float32'].includes(dtype)) throw new ModelFormatError('MODEL_FORMAT', `Unknown dtype ${dtype}: use int8, float16 or float32.`);
  const format = options.format ?? detectFormat(bytes);
  const { architecture, layers } = inferArchitecture(readSource(bytes, format, Boolean(options.strideIn1x1)));
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
  return { pack, architecture, report, name, notes: strideNote(format, architecture, options.strideIn1x1) };
}
