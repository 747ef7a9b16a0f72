export { convert, detectFormat, readSource, type ConvertOptions, type ConvertResult, type QuantizationReport, type SourceFormat } from './convert.js';
export { floatToHalf, type LayerError } from './quantize.js';
export { readOnnx, type OnnxGraph } from './onnx.js';
export { readSafetensors } from './safetensors.js';
