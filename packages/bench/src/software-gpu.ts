/**
 * Why 'auto' passes over CPU-emulated GPUs: ResNet-18 (int8 pack, 224×224) on WebGPU through Dawn on
 * SwiftShader against SIMD wasm, in one Node process, alternating, medians. Usage: pnpm bench:software-gpu
 */
import { existsSync, readFileSync } from 'node:fs';
import { load, type GpuEntry } from 'resnet-edge';
import { ensureModels, fileOf } from './files.ts';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
await ensureModels();
const pack = new Uint8Array(readFileSync(fileOf('resnet18', 'pack')));
// A fixed 224×224 RGB image (the crop size: preprocessing resizes nothing).
const image = { data: new Uint8Array(224 * 224 * 3).map((_, i) => (i * 37 + (i >> 7)) & 255), width: 224, height: 224, channels: 3 as const };
const gpu = await load({ model: pack, backend: 'webgpu', gpu: create([]) as GpuEntry });
const wasm = await load({ model: pack, backend: 'wasm' });
const times: Record<string, number[]> = { webgpu: [], wasm: [] };
await wasm.logits(image);
for (let i = 0; i < 3; i++) {
  for (const [name, clf] of [['webgpu', gpu], ['wasm', wasm]] as const) {
    const t = performance.now();
    await clf.logits(image);
    times[name].push(performance.now() - t);
  }
}
const [g, w] = [median(times.webgpu), median(times.wasm)];
console.log(`ResNet-18 int8 224×224, Node ${process.version}, medians of 3 after warm-up:`);
console.log(`  WebGPU (Dawn, ${gpu.diagnostics[0].adapter}): ${g.toFixed(0)} ms`);
console.log(`  SIMD wasm, 1 thread: ${w.toFixed(0)} ms`);
console.log(`  ratio WebGPU / wasm: ${(g / w).toFixed(1)}`);
gpu.dispose();
wasm.dispose();
process.exit(0);
