import { chooseBackend, type BackendOption } from './backend/choose.js';
import { Runtime, type Compute } from './backend/runtime.js';
import type { GpuEntry } from './backend/gpu-entry.js';
import { BackendChangeEvent, Classifier, type PreprocessMode } from './classifier.js';
import { LOAD_CHECKS, checkOptions } from './options.js';
import { largestBufferBytes } from './net/memory.js';
import { parseIntegrity } from './pack/integrity.js';
import { openPack, type ModelSource } from './pack/source.js';

export interface LoadProgress {
  /** download: pack bytes arriving; verify: sha256 check; upload: weights to the backend; ready: done. */
  phase: 'download' | 'verify' | 'upload' | 'ready';
  loadedBytes: number;
  totalBytes: number | undefined;
  /** Overall progress from 0 to 1 (1 exactly once, with phase 'ready'). */
  fraction: number;
}

export interface LoadOptions {
  /** The pack: a URL, a file path (Node), or its bytes. Default: the embedded CIFAR-10 ResNet shipped with the package. */
  model?: ModelSource;
  /** 'auto' (default: WebGPU when it is present, holds the model and computes right; else wasm), 'webgpu' or 'wasm'. */
  backend?: BackendOption;
  /** Prefix (directory URL) where tfjs-backend-wasm's .wasm files are served. */
  wasmPaths?: string;
  /** wasm threads where shared memory exists (Node; a cross-origin isolated page): an integer from 1 to the core count (default: one per core). */
  threads?: number;
  /** WebGPU entry point (default navigator.gpu). In Node: create([]) from the npm package 'webgpu'. */
  gpu?: GpuEntry;
  /** Let 'auto' choose a CPU-emulated GPU adapter (SwiftShader, llvmpipe/lavapipe, WARP). Default false: SIMD wasm is faster there. */
  softwareGpu?: boolean;
  onProgress?: (p: LoadProgress) => void;
  /** Called when the classifier moves to another backend by itself (also dispatched as a 'backendchange' event). */
  onBackendChange?: (e: BackendChangeEvent) => void;
  /** Aborts loading: the promise rejects with the signal's reason (an AbortError) and nothing stays allocated. */
  signal?: AbortSignal;
  /** Expected sha256 of the whole pack file, as 'sha256-<base64>' (like Subresource Integrity) or 64 hex digits. */
  integrity?: string;
  /** Keep fetched packs in the browser's Cache API, verified on every load (default true). */
  cache?: boolean;
  /**
   * How wasm runs an int8 pack. 'int8' (default): on resnet-edge's int8 kernels — int8 weights kept as int8,
   * activations quantized per tensor, int32 accumulation (relaxed SIMD where the runtime has it, else SIMD128).
   * 'float32': weights dequantized and run by tfjs-backend-wasm (XNNPACK). WebGPU always computes in float32.
   */
  compute?: Compute;
  /**
   * How images are decoded and resized. 'exact' (default): torchvision's pipeline on PIL's pixels, byte for byte.
   * 'fast': a large JPEG is decoded at 1/2, 1/4 or 1/8 of its size in libjpeg's DCT domain (as PIL's draft() and
   * thumbnail() do) while its shorter side stays at least the pack's resize size, then resized exactly; a 12 MP photo
   * decodes ~8× faster, and the answer can differ slightly from 'exact' (docs/preprocessing.md measures by how much).
   */
  preprocess?: PreprocessMode;
}

/** The pack shipped inside the package: a CIFAR-10 ResNet trained by this project (see README). */
export const DEFAULT_MODEL_URL = (): URL => new URL('../models/default.pack', import.meta.url);

/** Loads and verifies a pack, picks a backend, uploads the weights once, and returns a ready classifier. */
export async function load(options: LoadOptions = {}): Promise<Classifier> {
  checkOptions(options, LOAD_CHECKS, 'load()');
  const { signal, onProgress } = options;
  const compute = options.compute ?? 'int8';
  const sha256 = options.integrity === undefined ? undefined : parseIntegrity(options.integrity);
  let total: number | undefined;
  const report = (phase: LoadProgress['phase'], loaded: number, fraction: number) =>
    onProgress?.({ phase, loadedBytes: loaded, totalBytes: total, fraction });
  const { pack, origin } = await openPack(options.model ?? DEFAULT_MODEL_URL(), {
    signal, sha256, cache: options.cache,
    onProgress: (p) => {
      if (p.phase === 'verify') return report('verify', total ?? p.loadedBytes, 0.9);
      total = p.totalBytes;
      report('download', p.loadedBytes, total ? (0.9 * p.loadedBytes) / total : 0);
    },
  });
  signal?.throwIfAborted();
  const { architecture, preprocess } = pack.manifest;
  const request = {
    wasmPaths: options.wasmPaths, threads: options.threads, gpu: options.gpu, softwareGpu: options.softwareGpu,
    needBytes: largestBufferBytes(architecture, preprocess.crop), int8: pack.manifest.dtype === 'int8' && compute === 'int8',
  };
  const choice = await chooseBackend(options.backend ?? 'auto', request);
  signal?.throwIfAborted();
  report('upload', pack.file.length, 0.95);
  let classifier: Classifier | undefined;
  const runtime = await Runtime.create(pack, choice, request, (change) => {
    const event = new BackendChangeEvent(change);
    options.onBackendChange?.(event);
    classifier?.dispatchEvent(event);
  });
  try {
    if (runtime.backend === 'webgpu') await runtime.warmUp(preprocess.crop);
    signal?.throwIfAborted();
  } catch (e) {
    runtime.dispose();
    throw e;
  }
  classifier = Classifier.create(pack.manifest, runtime, origin, options.preprocess ?? 'exact');
  report('ready', pack.file.length, 1);
  return classifier;
}
