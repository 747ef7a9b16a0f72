/** Statistics and the three outputs of `pnpm bench`: JSON (every timing), a markdown table and an SVG chart. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS, type RunnerName } from './runners.ts';
import { MACS, type ModelName } from './files.ts';
import type { EndToEndRow } from './end-to-end.ts';

export interface LatencyRow { env: string; threads: number; model: ModelName; runner: RunnerName; detail: string; times: number[] }
export interface ColdRow { env: string; model: ModelName; runner: RunnerName; ms: number; memoryBytes: number | null; modelBytes: number }
/** resnet-edge on 1 and 2 threads, interleaved round by round in one process or page. */
export interface ScalingRow { env: string; model: ModelName; runner: RunnerName; detail: string; one: number[]; two: number[] }
export interface Results { date: string; machine: Record<string, unknown>; latency: LatencyRow[]; scaling?: ScalingRow[]; cold: ColdRow[]; endToEnd?: EndToEndRow[] }

export const median = (t: number[]) => { const s = [...t].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const mb = (b: number | null) => (b === null ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const groups = <T extends { env: string; model: string }>(rows: T[], key: (r: T) => string) => [...new Set(rows.map(key))];

function latencyTable(r: Results): string {
  const out: string[] = [];
  for (const g of groups(r.latency, (x) => `${x.env}|${x.threads}|${x.model}`)) {
    const [env, threads, model] = g.split('|');
    const rows = r.latency.filter((x) => `${x.env}|${x.threads}|${x.model}` === g);
    const re = median(rows.find((x) => x.runner === 're-int8')!.times);
    out.push(`\n**${model}, ${env}, ${threads} thread${threads === '1' ? '' : 's'}** (${rows[0].times.length} runs each)\n`,
      '| runtime | median ms | min–max ms | GFLOP/s | resnet-edge ÷ this |', '|---|---|---|---|---|');
    for (const x of rows) {
      const m = median(x.times);
      out.push(`| ${LABELS[x.runner]} (${x.detail}) | ${ms(m)} | ${ms(Math.min(...x.times))}–${ms(Math.max(...x.times))} | ${((2 * MACS[model as ModelName]) / m / 1e6).toFixed(1)} | ${(re / m).toFixed(2)} |`);
    }
  }
  return out.join('\n');
}

function scalingTable(rows: ScalingRow[]): string {
  const out = ['| environment | model | runtime | 1 thread, median ms | 2 threads, median ms | 2 ÷ 1 | runs each |', '|---|---|---|---|---|---|---|'];
  for (const x of rows) {
    const one = median(x.one), two = median(x.two);
    out.push(`| ${x.env} | ${x.model} | ${LABELS[x.runner]} (${x.detail}) | ${ms(one)} | ${ms(two)} | ${(two / one).toFixed(2)} | ${x.one.length} |`);
  }
  return out.join('\n');
}

function coldTable(r: Results): string {
  const out = ['| environment | model | runtime | load + first result ms | memory | model file |', '|---|---|---|---|---|---|'];
  for (const x of r.cold) out.push(`| ${x.env} | ${x.model} | ${LABELS[x.runner]} | ${ms(x.ms)} | ${mb(x.memoryBytes)} | ${(x.modelBytes / 1e6).toFixed(1)} MB |`);
  return out.join('\n');
}

function endToEndTable(rows: EndToEndRow[]): string {
  const out = ['| photo | runtime | decode ms | preprocess ms | network ms | file → top-5 ms | decode + preprocess ÷ PIL\'s | file → top-5 ÷ PIL + PyTorch |', '|---|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    const peer = rows.find((r) => r.photo === row.photo && r.mode === row.mode && r.peer)!.stages;
    const s = row.stages, ratio = (a: number, b: number) => (row.peer ? '–' : (a / b).toFixed(2));
    out.push(`| ${row.photo} | ${row.runtime} | ${ms(s.decode)} | ${ms(s.preprocess)} | ${ms(s.network)} | ${ms(s.total)} | ${ratio(s.decode + s.preprocess, peer.decode + peer.preprocess)} | ${ratio(s.total, peer.total)} |`);
  }
  return out.join('\n');
}

function chart(r: Results): string {
  const keys = groups(r.latency, (x) => `${x.env}|${x.threads}|${x.model}`);
  const bar = 16, width = 900, left = 330;
  let y = 30;
  const parts: string[] = [];
  for (const g of keys) {
    const rows = r.latency.filter((x) => `${x.env}|${x.threads}|${x.model}` === g);
    const max = Math.max(...rows.map((x) => median(x.times)));
    const [env, threads, model] = g.split('|');
    parts.push(`<text x="10" y="${y}" font-weight="bold">${model} · ${env} · ${threads} thread${threads === '1' ? '' : 's'}</text>`);
    y += 8;
    for (const x of rows) {
      const m = median(x.times), w = ((width - left - 80) * m) / max;
      const colour = x.runner.startsWith('re-') ? '#1f7a3a' : x.runner.startsWith('ort') ? '#3b6fd6' : '#d08a1c';
      parts.push(`<text x="10" y="${y + 12}">${LABELS[x.runner]}</text><rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar - 3}" fill="${colour}"/>`
        + `<text x="${(left + w + 6).toFixed(1)}" y="${y + 12}">${ms(m)} ms</text>`);
      y += bar;
    }
    y += 22;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">`
    + `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}

export function writeReport(dir: string, r: Results): { json: string; md: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, 'results.json'), md: join(dir, 'results.md'), svg: join(dir, 'chart.svg') };
  writeFileSync(files.json, `${JSON.stringify(r, null, 1)}\n`);
  const machine = Object.entries(r.machine).map(([k, v]) => `- ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n');
  writeFileSync(files.md, `# pnpm bench, ${r.date}\n\n${machine}\n\nSteady state: one preprocessed input, the forward pass only, each timed run after a 30 ms pause. On 1 thread the runtimes `
    + `are interleaved round by round in one process or page; on more, each runs alone in its own (another runtime's idle threads spin `
    + `and take the cores), in two alternating passes of half the rounds, each after the cores are idle again. GFLOP/s = 2 × multiply-adds / time.\n${latencyTable(r)}\n\n`
    + `${r.scaling?.length ? `## Threads\n\nresnet-edge on 1 and on 2 threads, interleaved round by round in one process or page (its idle workers sleep, so the 1-thread runs have the cores): the ratio of two runs under the same conditions.\n\n${scalingTable(r.scaling)}\n\n` : ''}`
    + `## Cold start and memory\n\nLoad from the model's bytes + first result, in a fresh process (Node: memory = peak RSS growth over the `
    + `process after its imports) or a fresh page (Chromium: performance.measureUserAgentSpecificMemory() after a GC, whole page).\n\n`
    + `${coldTable(r)}\n\n${r.endToEnd ? `## End to end\n\nA photo's file bytes to its top-5, ResNet-50, one thread, medians (tools/bench_photos.py makes the photos). `
      + `resnet-edge: imagePixels (JPEG decode, EXIF orientation), preprocess (torchvision-exact), the int8 network, as classify() runs them. PIL: Image.open + convert('RGB'), `
      + `torchvision's Resize(256), CenterCrop(224), ToTensor, Normalize, PyTorch fp32. Preprocess 'fast' is compared with PIL's draft('RGB', (256, 256)): both decode at libjpeg's DCT scale for a 256-pixel shorter side. sharp (libvips: shrink-on-load, Lanczos) + ORT-web, and in Chromium a canvas (createImageBitmap, drawImage to a 256-pixel shorter side, the centre 224×224 of getImageData) + ORT-web, are how their users feed ORT-web; their pixels are not torchvision's.\n\n${endToEndTable(r.endToEnd)}\n\n` : ''}`
    + `![chart](chart.svg)\n`);
  writeFileSync(files.svg, chart(r));
  return files;
}
