/**
 * End to end in the bench page (Chromium, one thread): a photo's bytes to its top-5 with ResNet-50 — resnet-edge with
 * preprocess 'exact' and 'fast' (as classify() runs them), and ORT-web int8 fed the way its browser users preprocess:
 * createImageBitmap decodes, a canvas draws it with its shorter side at 256, getImageData takes the centre 224×224,
 * JavaScript normalizes to NCHW. Medians of `rounds` after a warm-up.
 */
import * as ort from 'onnxruntime-web';
import { imagePixels, Int8ResNet, preprocess, readPack } from 'resnet-edge/internal';
import type { Stages } from './end-to-end.ts';
import { normalizedNchw } from './runners.ts';

const PHOTOS = ['photo-12mp.jpg', 'photo-2mp.jpg'];
const bytes = async (file: string) => new Uint8Array(await (await fetch(`/models/${file}`)).arrayBuffer());
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Runs `step` rounds + 1 times; each returns its stage boundaries (4 timestamps). */
async function timed(rounds: number, step: () => Promise<number[]>): Promise<Stages> {
  const t: number[][] = [];
  for (let r = 0; r <= rounds; r++) {
    const s = await step();
    if (r > 0) t.push(s);
  }
  const d = (i: number, j: number) => median(t.map((s) => s[j] - s[i]));
  return { decode: d(0, 1), preprocess: d(1, 2), network: d(2, 3), total: d(0, 3) };
}

const top5 = (logits: ArrayLike<number>) => Array.from(logits, (v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 5);

export async function endToEnd(rounds: number): Promise<Record<string, Record<'exact' | 'fast' | 'canvas', Stages>>> {
  ort.env.wasm.numThreads = 1;
  const pack = await readPack(await bytes('resnet50.photo.int8.pack'));
  const net = await Int8ResNet.create(pack, undefined, 1), p = pack.manifest.preprocess;
  const session = await ort.InferenceSession.create(await bytes('resnet50.int8.onnx'), { graphOptimizationLevel: 'all', executionProviders: ['wasm'] });
  const out: Record<string, Record<'exact' | 'fast' | 'canvas', Stages>> = {};
  for (const photo of PHOTOS) {
    const file = await bytes(photo);
    const edge = (minSide?: number) => timed(rounds, async () => {
      const t0 = performance.now();
      const pixels = await imagePixels(file, minSide);
      const t1 = performance.now();
      const crop = preprocess(pixels.image, p, pixels.resizeWindow);
      pixels.release();
      const t2 = performance.now();
      top5(net.forward(crop, p.crop, true).logits!);
      return [t0, t1, t2, performance.now()];
    });
    const canvas = () => timed(rounds, async () => {
      const t0 = performance.now();
      const bitmap = await createImageBitmap(new Blob([file], { type: 'image/jpeg' }));
      const t1 = performance.now();
      const { width, height } = bitmap;
      const [w, h] = width <= height ? [256, Math.trunc((256 * height) / width)] : [Math.trunc((256 * width) / height), 256];
      const ctx = new OffscreenCanvas(w, h).getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0, w, h);
      bitmap.close();
      const rgba = ctx.getImageData(Math.round((w - 224) / 2), Math.round((h - 224) / 2), 224, 224).data;
      const x = normalizedNchw(rgba, 224, 4);
      const t2 = performance.now();
      const result = await session.run({ input: new ort.Tensor('float32', x, [1, 3, 224, 224]) });
      top5((result[session.outputNames[0]] as { data: Float32Array }).data);
      return [t0, t1, t2, performance.now()];
    });
    out[photo] = { exact: await edge(), fast: await edge(p.resize), canvas: await canvas() };
  }
  net.dispose();
  await session.release();
  return out;
}
