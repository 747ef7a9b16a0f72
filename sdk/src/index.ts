export { load, type LoadOptions } from './load.js';
export { Classifier, type Prediction, type ClassifyOptions, type ModelInfo } from './classifier.js';
export type { ImageInput, PixelData } from './image/source.js';
export type { BackendName, BackendOption, BackendAttempt } from './backend/choose.js';
export type { ReadProgress } from './pack/read.js';
export type { ModelSource } from './pack/source.js';
export type { Architecture, Preprocess, WeightDType } from './pack/format.js';
export {
  ResnetEdgeError, PackError, ImageError, ModelFormatError, UsageError, BackendError, type ErrorCode,
} from './errors.js';
