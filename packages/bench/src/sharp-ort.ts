/**
 * The end-to-end peer a Node user of onnxruntime-web would build: sharp (libvips, native) decodes and resizes the
 * photo — shorter side to 256 with its default Lanczos filter, the centre 224×224 extracted, one pipeline (EXIF
 * rotation included) — and ORT-web
 * runs the int8 QDQ ResNet-50 on it after a JavaScript normalize to NCHW; one thread each, medians of `rounds`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import sharp from 'sharp';
import { fileOf, MODELS_DIR } from './files.ts';
import { PHOTOS, type Stages } from './end-to-end.ts';
import { median } from './report.ts';
import { normalizedNchw } from './runners.ts';

export async function sharpOrtStages(rounds: number): Promise<Record<string, Stages>> {
  sharp.concurrency(1);
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(readFileSync(fileOf('resnet50', 'int8')), { graphOptimizationLevel: 'all', executionProviders: ['wasm'] });
  const out: Record<string, Stages> = {};
  for (const photo of PHOTOS) {
    const bytes = readFileSync(join(MODELS_DIR, photo));
    const t: Record<keyof Stages, number[]> = { decode: [], preprocess: [], network: [], total: [] };
    for (let r = 0; r <= rounds; r++) {
      const t0 = performance.now();
      const { width = 1, height = 1 } = await sharp(bytes).metadata();
      const [w, h] = width <= height ? [256, Math.trunc((256 * height) / width)] : [Math.trunc((256 * width) / height), 256];
      const rgb = await sharp(bytes).rotate().resize(w, h, { fit: 'fill' }).extract({ left: Math.round((w - 224) / 2), top: Math.round((h - 224) / 2), width: 224, height: 224 })
        .removeAlpha().raw().toBuffer();
      const t1 = performance.now();
      const input = new ort.Tensor('float32', normalizedNchw(rgb, 224, 3), [1, 3, 224, 224]);
      const t2 = performance.now();
      const logits = (await session.run({ input }))[session.outputNames[0]] as { data: Float32Array };
      Array.from(logits.data, (v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 5);
      const t3 = performance.now();
      if (r === 0) continue; // warm-up
      t.decode.push(t1 - t0); t.preprocess.push(t2 - t1); t.network.push(t3 - t2); t.total.push(t3 - t0);
    }
    out[photo] = { decode: median(t.decode), preprocess: median(t.preprocess), network: median(t.network), total: median(t.total) };
  }
  await session.release();
  return out;
}
