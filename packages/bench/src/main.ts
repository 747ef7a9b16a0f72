#!/usr/bin/env node
/**
 * pnpm bench: resnet-edge against onnxruntime-web (fp32 and int8 QDQ), TF.js (tfjs-backend-wasm) and, in Node,
 * onnxruntime-node, on the same seeded ResNet-18, ResNet-50 and CIFAR ResNet-20, in Node and in headless Chromium
 * (COOP/COEP), with 1 and 2 threads: steady-state latency (interleaved), cold start, memory, model size.
 * Writes packages/bench/results/{results.json,results.md,chart.svg}.
 * Also end to end: a 12 MP and a 2 MP photo's bytes to top-5 (ResNet-50, one thread) beside PIL + torchvision + PyTorch.
 * And in WebKitGTK (Safari's engine, SIMD128 only) where WebKitWebDriver is installed.
 * And resnet-edge's own thread scaling: its 1- and 2-thread runs interleaved round by round in one process or page.
 * Options: --rounds N (default 20), --only node,chromium,webkit,e2e (any of them; default all), --node 24[,22,24:no-vnni,/path/to/node] (more Node rows;
 * :no-vnni turns V8's AVX-VNNI lowering off), --no-vnni (Chromium rows with it off too),
 * --out DIR (default packages/bench/results).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchBrowser } from './browser.ts';
import { benchWebKit } from './webkit.ts';
import { ensurePhotos, MODES, pilStages, PHOTOS, type EndToEndRow, type Stages } from './end-to-end.ts';
import { ensureModels, fileOf, MODELS, ROOT, type ModelName } from './files.ts';
import { nodeBinaries, type NodeBinary } from './node-binary.ts';
import { writeReport, type ColdRow, type LatencyRow, type Results } from './report.ts';
import { NODE_RUNNERS, PAGE_RUNNERS, type RunnerName, type ScalingData } from './runners.ts';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const rounds = Number(arg('rounds', '20')), only = arg('only', '').split(',').filter(Boolean), outDir = arg('out', join(ROOT, 'packages', 'bench', 'results')), nodes = nodeBinaries(arg('node', '').split(',').filter(Boolean));
const THREADS = [1, 2];
const wants = (part: string) => only.length === 0 || only.includes(part);

/** Fraction of CPU time spent busy across all cores over `ms` (the machine's load before the bench starts). */
async function busy(ms: number): Promise<number> {
  const read = () => readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read(), d = b.map((v, i) => v - a[i]), total = d.reduce((s, v) => s + v, 0);
  return 1 - (d[3] + d[4]) / total;
}

/**
 * Waits (10 s at most) until the cores are idle: the threads of a page or process that just closed can run on for a
 * while (ORT-web's spin), and the next runtime measured alone would share the cores with them.
 */
async function quiet(): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 10_000 && (await busy(250)) > 0.1;);
}

const child = (node: NodeBinary, ...args: string[]) => JSON.parse(execFileSync(node.path, [...node.flags, '--import', 'tsx', join(import.meta.dirname, 'node-child.ts'), ...args],
  { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!);

const sizeOf = (m: ModelName, r: RunnerName) => statSync(r.startsWith('ort') ? fileOf(m, r.endsWith('int8') ? 'int8' : 'fp32') : fileOf(m, 'pack')).size;

type LatencyData = Record<string, { times: Record<string, number[]>; detail: Record<string, string> }>;

/**
 * Latency on `threads`: on one thread every runtime interleaved round by round in one process or page; on more, each
 * runtime alone in its own (another runtime's idle worker threads keep spinning and take the cores: beside ORT-web,
 * resnet-edge's 2-thread ResNet-18 in WebKitGTK took 70–84 ms instead of 34), in two alternating passes.
 */
async function latencyOf(threads: number, names: RunnerName[], measure: (rounds: number, only?: RunnerName[]) => Promise<LatencyData>): Promise<LatencyData> {
  if (threads === 1) return measure(rounds);
  const out: LatencyData = {};
  for (let pass = 0; pass < 2; pass++) {
    for (const name of names) {
      await quiet();
      for (const [model, v] of Object.entries(await measure(Math.ceil(rounds / 2), [name]))) {
        const o = (out[model] ??= { times: {}, detail: {} });
        for (const [r, t] of Object.entries(v.times)) (o.times[r] ??= []).push(...t);
        Object.assign(o.detail, v.detail);
      }
    }
  }
  return out;
}

/** resnet-edge's 1- and 2-thread runs, interleaved (runners.ts scaling()), as rows; `detail` names the build. */
function pushScaling(results: Results, env: string, data: ScalingData): void {
  for (const [model, byRunner] of Object.entries(data)) {
    for (const [runner, t] of Object.entries(byRunner)) {
      const detail = results.latency.find((x) => x.env === env && x.model === model && x.runner === runner && x.threads === 1)?.detail.replace(/, 1 thread$/, '') ?? '';
      (results.scaling ??= []).push({ env, model: model as ModelName, runner: runner as RunnerName, detail, one: t['1'], two: t['2'] });
    }
  }
}

function pushLatency(rows: LatencyRow[], env: string, threads: number, data: LatencyData) {
  for (const [model, v] of Object.entries(data)) {
    for (const [runner, times] of Object.entries(v.times)) rows.push({ env, threads, model: model as ModelName, runner: runner as RunnerName, detail: v.detail[runner], times });
  }
}

/**
 * End-to-end rows: resnet-edge and sharp + ORT-web in fresh Node processes (the first Node binary), PIL + torchvision
 * + PyTorch, then resnet-edge and canvas + ORT-web in Chromium.
 */
async function endToEnd(): Promise<EndToEndRow[]> {
  console.error('end to end: photos, 1 thread…');
  const e2eRounds = Math.max(3, Math.round(rounds / 4));
  const re = child(nodes[0], 'e2e', String(e2eRounds)), ort = child(nodes[0], 'e2e-ort', String(e2eRounds)), pil = pilStages(e2eRounds);
  console.error('end to end in Chromium…');
  const b = await benchBrowser();
  const tab = await b.page();
  const page: Record<string, Record<'exact' | 'fast' | 'canvas', Stages>> = await tab.evaluate((n) => (window as any).bench.endToEnd(n), e2eRounds);
  await b.close();
  return PHOTOS.flatMap((photo) => [
    ...MODES.flatMap((mode) => [
      { photo, mode, runtime: `resnet-edge int8, preprocess '${mode}' (${nodes[0].label})`, stages: re[photo][mode] },
      { photo, mode, peer: true, runtime: `PIL${mode === 'fast' ? ' draft()' : ''} + torchvision + PyTorch fp32`, stages: pil[photo][mode === 'fast' ? 'draft' : 'exact'] },
    ]),
    { photo, mode: 'exact' as const, runtime: `sharp 0.34 (libvips, Lanczos) + ORT-web 1.30 int8 (${nodes[0].label})`, stages: ort[photo] },
    ...MODES.map((mode) => ({ photo, mode, runtime: `resnet-edge int8, preprocess '${mode}' (Chromium)`, stages: page[photo][mode] })),
    { photo, mode: 'exact' as const, runtime: 'canvas (createImageBitmap, drawImage) + ORT-web 1.30 int8 (Chromium)', stages: page[photo].canvas },
  ]);
}

/** The Chromium rows: latency on 1 and 2 threads, then cold starts; `noVnni` with V8's AVX-VNNI lowering off. */
async function chromiumRows(results: Results, noVnni: boolean): Promise<void> {
  const env = noVnni ? 'Chromium (no VNNI)' : 'Chromium';
  const b = await benchBrowser(noVnni ? ['--no-enable-avx-vnni'] : []);
  results.machine.chromium = b.version;
  const probe = await b.page();
  const adapter = await probe.evaluate(() => (window as any).bench.gpuAdapter());
  results.machine.webgpu = adapter.name ? `${adapter.name}${adapter.usable ? '' : ' (CPU emulation: not benchmarked; see pnpm bench:software-gpu)'}` : 'no adapter: WebGPU rows not run';
  await probe.context().close();
  for (const threads of THREADS) {
    console.error(`${env}: ${threads} thread(s), ${rounds} rounds…`);
    pushLatency(results.latency, env, threads, await latencyOf(threads, PAGE_RUNNERS, async (n, only) => {
      const page = await b.page();
      const r = await page.evaluate(([t, n, m, o]) => (window as any).bench.latency(t, n, m, o), [threads, n, [...MODELS], only] as const);
      await page.context().close();
      return r;
    }));
  }
  console.error(`${env}: resnet-edge on 1 and 2 threads, interleaved…`);
  await quiet();
  const page = await b.page();
  pushScaling(results, env, await page.evaluate(([n, m]) => (window as any).bench.threadScaling(n, m), [rounds, [...MODELS]] as const));
  await page.context().close();
  for (const model of MODELS) {
    for (const runner of ['re-int8', 'tfjs-fp32', 'ort-web-fp32', 'ort-web-int8'] as RunnerName[]) {
      const page = await b.page();
      const r = await page.evaluate(([n, m]) => (window as any).bench.cold(n, m, 1), [runner, model] as const);
      results.cold.push({ env, model, runner, ms: r.ms, memoryBytes: r.memoryBytes, modelBytes: sizeOf(model, runner) });
      await page.context().close();
    }
  }
  await b.close();
}

/** The WebKitGTK rows: latency on 1 and 2 threads (no cold starts: WebKit cannot measure a page's memory). */
async function webkitRows(results: Results): Promise<void> {
  try {
    execFileSync('which', ['WebKitWebDriver', 'xvfb-run'], { stdio: 'ignore' });
  } catch {
    console.error('WebKitGTK rows skipped: install webkit2gtk-driver and xvfb');
    return;
  }
  const b = await benchWebKit();
  results.machine.webkit = b.version;
  try {
    for (const threads of THREADS) {
      console.error(`WebKitGTK: ${threads} thread(s), ${rounds} rounds…`);
      pushLatency(results.latency, 'WebKitGTK', threads, await latencyOf(threads, PAGE_RUNNERS, (n, only) => b.call('latency', threads, n, [...MODELS], only)));
    }
    console.error('WebKitGTK: resnet-edge on 1 and 2 threads, interleaved…');
    await quiet();
    pushScaling(results, 'WebKitGTK', await b.call('threadScaling', rounds, [...MODELS]));
  } finally {
    await b.close();
  }
}

async function main() {
  await ensureModels();
  await ensurePhotos();
  const results: Results = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0].model, cores: cpus().length, node: nodes.map((n) => n.label).join(', '), loadavgAtStart: loadavg().map((v) => v.toFixed(2)).join(' '), busyBeforeStart: `${(100 * (await busy(2000))).toFixed(1)} % of all cores over 2 s` },
    latency: [], cold: [],
  };
  const started = Date.now();
  if (wants('e2e')) results.endToEnd = await endToEnd();
  if (wants('node')) {
    for (const node of nodes) {
      for (const threads of THREADS) {
        console.error(`${node.label}: ${threads} thread(s), ${rounds} rounds…`);
        pushLatency(results.latency, node.label, threads, await latencyOf(threads, NODE_RUNNERS, async (n, only) => child(node, 'latency', String(threads), String(n), ...(only ? [only.join(',')] : []))));
      }
      console.error(`${node.label}: resnet-edge on 1 and 2 threads, interleaved…`);
      await quiet();
      pushScaling(results, node.label, child(node, 'scaling', String(rounds)));
    }
    for (const node of nodes) for (const model of MODELS) {
      for (const runner of ['re-int8', 'tfjs-fp32', 'ort-web-fp32', 'ort-web-int8', 'ort-node-fp32', 'ort-node-int8'] as RunnerName[]) {
        const r = child(node, 'cold', runner, model, '1');
        results.cold.push({ env: node.label, model, runner, ms: r.ms, memoryBytes: r.peakRssBytes - r.baseRssBytes, modelBytes: sizeOf(model, runner) } as ColdRow);
      }
    }
  }
  if (wants('chromium')) {
    await chromiumRows(results, false);
    if (process.argv.includes('--no-vnni')) await chromiumRows(results, true);
  }
  if (wants('webkit')) await webkitRows(results);
  results.machine.loadavgAtEnd = loadavg().map((v) => v.toFixed(2)).join(' ');
  results.machine.minutes = ((Date.now() - started) / 60000).toFixed(1);
  const files = writeReport(outDir, results);
  console.log(readFileSync(files.md, 'utf8'));
}

await main();
