/**
 * Every failure resnet-edge reports is a ResnetEdgeError with a stable `code`.
 * Subclasses group the codes by where they come from; messages say what is wrong and what to do.
 */
export type ErrorCode =
  | 'PACK_TRUNCATED' | 'PACK_OVERSIZE' | 'PACK_CORRUPT' | 'PACK_INVALID' | 'PACK_UNSUPPORTED' | 'PACK_TOO_LARGE'
  | 'PACK_INTEGRITY' | 'PACK_NOT_FOUND' | 'PACK_UNREADABLE' | 'NETWORK_ERROR'
  | 'IMAGE_UNSUPPORTED' | 'IMAGE_DECODE' | 'IMAGE_INVALID' | 'IMAGE_TOO_LARGE' | 'IMAGE_NOT_FOUND'
  | 'MODEL_FORMAT' | 'MODEL_NOT_RESNET'
  | 'INVALID_ARGUMENT' | 'DISPOSED' | 'NO_BACKEND' | 'LOAD_FAILED'
  | 'NON_FINITE_OUTPUT';

export class ResnetEdgeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The pack is not there (PACK_NOT_FOUND: no such file, HTTP 404/410), unreadable, unreachable, malformed, truncated, corrupted or of an unsupported version. */
export class PackError extends ResnetEdgeError {}
/** The image could not be decoded or has an unusable size or layout. */
export class ImageError extends ResnetEdgeError {}
/** A model file given to the converter is not a readable ResNet. */
export class ModelFormatError extends ResnetEdgeError {}
/** An argument is out of range, or the classifier was used after dispose(). */
export class UsageError extends ResnetEdgeError {}
/** No backend could be initialised, or loading failed for another reason. */
export class BackendError extends ResnetEdgeError {}
/** The model computed scores that are not numbers (NaN or infinite): weights too large for float32 on this input. */
export class ComputeError extends ResnetEdgeError {}
