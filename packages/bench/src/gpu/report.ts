/** The outputs of `pnpm bench:gpu`: results.json (every figure) and results.md (the tables). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildResult } from './child.ts';
import { GPU_LABELS, type GpuRunnerName } from './runners.ts';

/** PyTorch's own figures for a model (tools/gpu_models.py), when it ran on CUDA. */
export interface TorchCuda { device: string; torch: string; [key: string]: number | string }

export interface GpuResults {
  date: string;
  machine: Record<string, unknown>;
  rows: ChildResult[];
  failures: { runner: GpuRunnerName; model: string; error: string }[];
  torch: Record<string, TorchCuda | undefined>;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function modelTable(r: GpuResults, model: string): string[] {
  const rows = r.rows.filter((x) => x.model === model);
  const ort = rows.find((x) => x.runner === 'ort-webgpu-fp32');
  const out = [`\n### ${model}\n`,
    '| runtime | max \\|Δp\\| (vs) | batch 1 ms (p10–p90) | 10 crops ms | ÷ ORT fp32, batch 1 | load + first result ms | dispatches / submits / readbacks per image | uploads per image | GPU buffers, peak |',
    '|---|---|---|---|---|---|---|---|---|'];
  for (const x of rows) {
    out.push(`| ${GPU_LABELS[x.runner]} | ${x.check.maxProbDiff.toExponential(1)} (${x.check.reference}) | ${ms(x.b1.median)} (${ms(x.b1.p10)}–${ms(x.b1.p90)}) | ${ms(x.b10.median)} | `
      + `${ort ? (x.b1.median / ort.b1.median).toFixed(2) : '–'} | ${ms(x.coldMs)} | ${x.perRun.dispatches} / ${x.perRun.submits} / ${x.perRun.readbacks} | `
      + `${(x.perRun.uploadBytes / 1024).toFixed(0)} KiB | ${mib(x.gpuPeakBytes)} |`);
  }
  const t = r.torch[model];
  if (t) {
    for (const d of ['fp32', 'fp16']) {
      out.push(`| PyTorch ${t.torch} CUDA eager, ${d} (native bar) | – | ${ms(t[`${d}_b1_ms`] as number)} | ${ms(t[`${d}_b10_ms`] as number)} | `
        + `${ort ? ((t[`${d}_b1_ms`] as number) / ort.b1.median).toFixed(2) : '–'} | – | – | – | ${mib(t[`${d}_b10_peak_bytes`] as number)} |`);
    }
  }
  for (const x of rows.filter((y) => y.profile)) {
    const p = x.profile!, top = Object.entries(p.kernels).sort((a, b) => b[1] - a[1]).slice(0, 6);
    out.push(`\n${GPU_LABELS[x.runner]}, one batch-1 pass with a timestamp per kernel: GPU busy ${ms(p.kernelMs)} ms of `
      + `${ms(x.b1.median)} ms latency (${((100 * p.kernelMs) / x.b1.median).toFixed(0)} %); by kernel: ${top.map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
  }
  for (const x of rows.filter((y) => y.variants)) {
    out.push(`\n${GPU_LABELS[x.runner]}, batch 1 with other split-K targets (default 256): ${Object.entries(x.variants!).map(([k, v]) => `${k} ${ms(v)} ms`).join(', ')}`);
  }
  return out;
}

export function writeGpuReport(dir: string, r: GpuResults): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const models = [...new Set([...r.rows.map((x) => x.model), ...Object.keys(r.torch)])];
  const md = [`# pnpm bench:gpu, ${r.date}\n`, ...Object.entries(r.machine).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
    '\nWarm latency: model input (preprocessed float32 crops) on the host to logits on the host, median of the timed runs. '
    + 'Load + first result: from the model file\'s bytes in memory, in a fresh process, device creation included. '
    + 'GPU buffers: the most bytes of WebGPU buffers alive at once (weights, activations, staging).',
    ...models.flatMap((m) => modelTable(r, m)),
    ...(r.failures.length ? ['\n### Not measured\n', ...r.failures.map((f) => `- ${GPU_LABELS[f.runner]} on ${f.model}: ${f.error}`)] : [])].join('\n');
  const json = join(dir, 'results.json'), mdPath = join(dir, 'results.md');
  writeFileSync(json, JSON.stringify(r, null, 1));
  writeFileSync(mdPath, `${md}\n`);
  return { json, md: mdPath };
}
