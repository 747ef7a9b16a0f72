/**
 * One measurement in a fresh Node process, so that thread settings, cold starts and peak memory are each runtime's own:
 *   latency <threads> <rounds> [names]  every runner (or the comma-separated names) on every model, interleaved
 *   scaling <rounds>                    resnet-edge int8 on 1 and 2 threads, interleaved, on every model
 *   cold <runner> <model> <threads>     load + first result, then peak RSS after 5 more runs
 *   e2e <rounds>                        a photo's bytes to top-5 on one thread, stage by stage (end-to-end.ts)
 *   e2e-ort <rounds>                    the same with sharp + ORT-web int8 (sharp-ort.ts)
 * Prints one JSON line.
 */
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { MODELS, nodeFiles, type ModelName } from './files.ts';
import { coldStart, interleaved, makeRunner, NODE_RUNNERS, scaling, type Ort, type ScalingData, type RunnerName } from './runners.ts';
import { resnetEdgeStages } from './end-to-end.ts';
import { sharpOrtStages } from './sharp-ort.ts';

const [mode, ...args] = process.argv.slice(2);
const ortFor = (name: string) => (name.startsWith('ort-node') ? ortNode : ortWeb) as unknown as Ort;

if (mode === 'latency') {
  const threads = Number(args[0]), rounds = Number(args[1]);
  ortWeb.env.wasm.numThreads = threads;
  const names = args[2] ? args[2].split(',') as RunnerName[] : NODE_RUNNERS;
  const out: Record<string, unknown> = {};
  for (const model of MODELS) {
    const runners = [];
    for (const n of names) runners.push(await makeRunner(n, nodeFiles(model), { threads, ort: ortFor(n) }));
    out[model] = { times: await interleaved(runners, rounds), detail: Object.fromEntries(runners.map((r) => [r.name, r.detail])) };
    for (const r of runners) await r.dispose();
  }
  console.log(JSON.stringify(out));
} else if (mode === 'scaling') {
  const out: ScalingData = {};
  for (const model of MODELS) out[model] = { 're-int8': await scaling('re-int8', nodeFiles(model), 2, Number(args[0]), {}) };
  console.log(JSON.stringify(out));
} else if (mode === 'cold') {
  const [name, model, t] = args as [RunnerName, ModelName, string];
  const threads = Number(t);
  ortWeb.env.wasm.numThreads = threads;
  const base = process.memoryUsage().rss;
  const { ms, run } = await coldStart(name, nodeFiles(model), { threads, ort: ortFor(name) });
  for (let i = 0; i < 5; i++) await run();
  console.log(JSON.stringify({ ms, peakRssBytes: process.resourceUsage().maxRSS * 1024, baseRssBytes: base }));
} else if (mode === 'e2e') {
  console.log(JSON.stringify(await resnetEdgeStages(Number(args[0]))));
} else if (mode === 'e2e-ort') {
  console.log(JSON.stringify(await sharpOrtStages(Number(args[0]))));
} else {
  throw new Error(`unknown mode ${mode}`);
}
