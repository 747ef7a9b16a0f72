/**
 * The soak: classifications of mixed sizes and kinds (raw pixels 1×1 … 2400×1800, PNG, JPEG, 1 and 10 crops)
 * in rounds; after the warm-up round, tf.memory() (tensors, bytes) and the GPU bytes (`gpuBytes`: live WebGPU buffers,
 * counted by the caller's entry point) must not change from round to round,
 * every image must get the same answer every time, and the wasm heaps may not grow by more than `heapBound`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode } from 'fast-png';
import type { Classifier, ImageInput, Prediction } from 'resnet-edge';
import { wasmHeapBytes } from './heaps.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function pattern(w: number, h: number, channels: 1 | 3 | 4, seed: number): { data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 } {
  const data = new Uint8Array(w * h * channels);
  for (let i = 0; i < data.length; i++) data[i] = (Math.floor(i / channels / 17) * 31 + (i % channels) * 80 + seed * 13 + ((i * 7919) % 23)) & 255;
  return { data, width: w, height: h, channels };
}

/** One round: 20 inputs of mixed sizes, channels and encodings (and two real photos as JPEG). */
export function soakImages(): { name: string; image: ImageInput; crops: 1 | 10 }[] {
  const sizes: [number, number][] = [[1, 1], [7, 9], [32, 32], [33, 31], [224, 224], [640, 480], [31, 400], [1000, 750], [2400, 1800], [300, 5]];
  const out: { name: string; image: ImageInput; crops: 1 | 10 }[] = [];
  sizes.forEach(([w, h], i) => {
    const channels = ([1, 3, 4] as const)[i % 3];
    out.push({ name: `raw ${w}×${h}×${channels}`, image: pattern(w, h, channels, i), crops: i % 4 === 1 ? 10 : 1 });
    if (w * h < 2e6) {
      const p = pattern(w, h, channels === 1 ? 3 : channels, i + 100);
      out.push({ name: `png ${w}×${h}`, image: encode({ width: w, height: h, channels: p.channels, data: p.data }), crops: 1 });
    }
  });
  out.push({ name: 'jpeg rocket', image: readFileSync(join(ROOT, 'demos/assets/rocket.jpg')), crops: 1 });
  out.push({ name: 'jpeg grace_hopper', image: readFileSync(join(ROOT, '..', 'shared/images/grace_hopper.jpg')), crops: 10 });
  return out;
}

/** tf.memory(), or zeros while no tfjs backend has started (the int8 kernels need none). */
function memory(): { numTensors: number; numBytes: number } {
  try {
    return tf.memory();
  } catch {
    return { numTensors: 0, numBytes: 0 };
  }
}

export interface SoakReport {
  classifications: number; rounds: number; seconds: number;
  tensors: number[]; bytes: number[]; gpuBytes: number[]; heapBytes: number[];
  heapGrowthAfterWarmUp: number; changedAnswers: string[];
}

/**
 * Runs at least `count` classifications (whole rounds); the first round is the warm-up. `tenCrops: false`: single crops
 * only. `gpuBytes`: the bytes of live WebGPU buffers (tools/gpu-tracking.ts), on WebGPU.
 */
export async function soak(clf: Classifier, count: number, onRound?: (r: SoakReport) => void, tenCrops = true, gpuBytes = () => 0): Promise<SoakReport> {
  const images = soakImages().map((x) => (tenCrops ? x : { ...x, crops: 1 as const })), rounds = Math.max(2, Math.ceil(count / images.length));
  const first = new Map<string, Prediction[]>();
  const rep: SoakReport = { classifications: 0, rounds, seconds: 0, tensors: [], bytes: [], gpuBytes: [], heapBytes: [], heapGrowthAfterWarmUp: 0, changedAnswers: [] };
  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const { name, image, crops } of images) {
      const got = await clf.classify(image, { crops, topK: 3 });
      rep.classifications++;
      const want = first.get(name);
      if (!want) first.set(name, got);
      else if (JSON.stringify(got) !== JSON.stringify(want)) rep.changedAnswers.push(`round ${round}: ${name}`);
    }
    const m = memory();
    rep.tensors.push(m.numTensors);
    rep.bytes.push(m.numBytes);
    rep.gpuBytes.push(gpuBytes());
    rep.heapBytes.push(wasmHeapBytes());
    rep.heapGrowthAfterWarmUp = rep.heapBytes[rep.heapBytes.length - 1] - rep.heapBytes[0];
    rep.seconds = (performance.now() - t0) / 1000;
    onRound?.(rep);
  }
  return rep;
}
