export { load, DEFAULT_MODEL_URL, type LoadOptions, type LoadProgress } from './load.js';
export type { Compute } from './backend/runtime.js';
export { diagnose, type Diagnosis, type DiagnoseOptions } from './backend/diagnose.js';
export type { GpuEntry } from './backend/gpu-entry.js';
export { Classifier, BackendChangeEvent, type Prediction, type ClassifyOptions, type CallOptions, type ModelInfo, type ClassifierEventMap, type PreprocessMode } from './classifier.js';
export type { BackendChange } from './backend/change.js';
export { KnnClassifier, type KnnOptions, type KnnClassifyOptions, type AddExampleOptions } from './custom/knn.js';
export { LinearClassifier, type LinearClassifyOptions } from './custom/linear.js';
export type { SoftmaxOptions } from './custom/train-softmax.js';
export type { ImageInput, PixelData } from './image/source.js';
export type { DrawableImage } from './image/browser.js';
export type { BackendName, BackendOption, BackendAttempt } from './backend/choose.js';
export type { ModelSource, PackOrigin } from './pack/source.js';
export type { Architecture, Preprocess, WeightDType } from './pack/format.js';
export {
  ResnetEdgeError, PackError, ImageError, ModelFormatError, UsageError, BackendError, ComputeError, type ErrorCode,
} from './errors.js';
