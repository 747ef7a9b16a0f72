import { chooseBackend, type BackendOption } from './backend/choose.js';
import { Classifier } from './classifier.js';
import { UsageError } from './errors.js';
import { openPack, type ModelSource } from './pack/source.js';
import type { ReadProgress } from './pack/read.js';
import { uploadLayers } from './net/upload.js';

export interface LoadOptions {
  /** The pack: a URL, a file path (Node), or its bytes. */
  model?: ModelSource;
  /** 'auto' (default), 'webgpu' or 'wasm'. */
  backend?: BackendOption;
  /** Prefix (directory URL) where tfjs-backend-wasm's .wasm files are served. */
  wasmPaths?: string;
  onProgress?: (p: ReadProgress) => void;
  signal?: AbortSignal;
}

/** Loads and verifies a pack, picks a backend, uploads the weights once, and returns a ready classifier. */
export async function load(options: LoadOptions = {}): Promise<Classifier> {
  if (options.model === undefined) {
    throw new UsageError('INVALID_ARGUMENT', 'load() needs a model: pass {model: <pack URL, file path or bytes>}. Create a pack with `resnet-edge convert`.');
  }
  const pack = await openPack(options.model, options.onProgress, options.signal);
  const { backend, attempts } = await chooseBackend(options.backend ?? 'auto', options.wasmPaths);
  return new Classifier(pack.manifest, uploadLayers(pack), backend, attempts);
}
