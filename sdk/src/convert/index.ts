export { convert, detectFormat, readSource, type ConvertOptions, type ConvertResult, type QuantizationReport, type SourceFormat } from './convert.js';
export type { LayerError } from './quantize.js';
export { floatToHalf } from '../pack.js';
export { readOnnx, type OnnxGraph } from './onnx.js';
export { readSafetensors } from './safetensors.js';
export { readTorch } from './torch.js';
