#!/usr/bin/env node
/**
 * pnpm bench:gpu — resnet-edge on WebGPU beside plain tfjs-webgpu code and onnxruntime-web's WebGPU EP, in Node on
 * Dawn, with PyTorch CUDA (when there) as the native bar, on seeded ResNet-18/50 made by tools/gpu_models.py.
 * Each runtime runs in its own process (child.ts); its probabilities are checked before anything is timed.
 * Writes <out>/results.json and results.md (docs/gpu.md says how it runs on a GPU machine).
 *
 * Options: --small (ResNet-18 at 32×32, 3 rounds: the CI test of the bench itself, on SwiftShader)
 *          --models resnet18,resnet50  --size 224  --rounds 50  --runners a,b  --out packages/bench/results-gpu
 *          --data packages/bench/.models-gpu  --tfjs-wasm DIR/  --ort-wasm DIR/  (PYTHON=… picks the python with torch)
 *          --budget S (start no runtime after S seconds; the report says which were left out)
 *          --child-timeout S (stop a runtime's process after S seconds, default 600)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { convert } from 'resnet-edge/convert';
import { runChild } from './child.ts';
import { openDawn } from './dawn.ts';
import { measureFloor } from './floor.ts';
import { writeGpuReport, type GpuResults, type TorchCuda } from './report.ts';
import { GPU_RUNNERS, packPath, type GpuRunnerName, type ModelPlace } from './runners.ts';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };

function python(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  return existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0 ? '/usr/bin/python3' : 'python3';
}

/** The seeded models and PyTorch's figures (tools/gpu_models.py), then the int8 and float16 packs of each. */
async function makeModels(dir: string, models: string[], size: number, rounds: number): Promise<void> {
  const r = spawnSync(python(), ['tools/gpu_models.py', '--out', dir, '--models', models.join(','), '--size', String(size), '--rounds', String(rounds)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tools/gpu_models.py failed (${r.status ?? r.signal})`);
  for (const name of models) {
    const weights = readFileSync(join(dir, `${name}.safetensors`));
    for (const dtype of ['int8', 'float16'] as const) {
      const { pack } = await convert(weights, { dtype, name: `${name}-seeded`, preprocess: { resize: size, crop: size } });
      writeFileSync(packPath({ dir, name, size }, dtype), pack);
    }
  }
}

function child(runner: GpuRunnerName, place: ModelPlace, rounds: number, timeoutS: number): { result?: GpuResults['rows'][number]; error?: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], 'child', runner, JSON.stringify(place), String(rounds)],
    { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = (tag: string) => r.stdout?.split('\n').find((l) => l.startsWith(tag))?.slice(tag.length + 1);
  const ok = line('BENCH-RESULT');
  if (ok) return { result: JSON.parse(ok) };
  return { error: line('BENCH-ERROR') ?? `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ').slice(0, 400)}` };
}

async function main(): Promise<void> {
  const small = argv.includes('--small');
  const models = arg('models', small ? 'resnet18' : 'resnet18,resnet50').split(',');
  const size = Number(arg('size', small ? '32' : '224')), rounds = Number(arg('rounds', small ? '3' : '50'));
  const runners = arg('runners', GPU_RUNNERS.join(',')).split(',') as GpuRunnerName[];
  const dir = resolve(arg('data', 'packages/bench/.models-gpu')), out = resolve(arg('out', small ? 'packages/bench/.results-gpu-small' : 'packages/bench/results-gpu'));
  const started = Date.now(), budget = Number(arg('budget', '1e9')), childTimeout = Number(arg('child-timeout', '600'));
  await makeModels(dir, models, size, rounds);
  console.error(`bench:gpu: models ready (+${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const dawn = await openDawn();
  const results: GpuResults = {
    date: new Date().toISOString(),
    machine: { adapter: dawn.adapter, features: dawn.features.join(' '), cpu: `${cpus()[0]?.model} × ${cpus().length}`, node: process.version, size: `${size}×${size}`, rounds },
    rows: [], failures: [], torch: {},
  };
  const floor = await measureFloor(dawn.gpu);
  results.machine.floor = `one submit + 4-byte readback ${floor.roundTripMs.toFixed(3)} ms; each extra trivial dispatch in one pass +${floor.perDispatchUs.toFixed(2)} µs`;
  results.machine.limits = floor.limits;
  // The largest model first, each runtime in priority order; the report is rewritten after every child, and no child
  // starts once the time budget is spent.
  for (const name of [...models].reverse()) {
    const torch = (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { cuda?: TorchCuda }).cuda;
    results.torch[name] = torch;
    if (torch) results.machine.cuda = `${torch.device}, PyTorch ${torch.torch}`;
  }
  for (const name of [...models].reverse()) {
    const place: ModelPlace = { dir, name, size, tfjsWasm: arg('tfjs-wasm', '') || undefined, ortWasm: arg('ort-wasm', '') || undefined };
    for (const runner of runners) {
      const elapsed = (Date.now() - started) / 1000;
      if (elapsed > budget) {
        results.failures.push({ runner, model: name, error: `not started: the bench's time budget (${budget} s) was spent` });
        continue;
      }
      const r = child(runner, place, rounds, childTimeout);
      console.error(`bench:gpu: ${runner} on ${name}: ${r.result ? 'done' : r.error} (+${((Date.now() - started) / 1000).toFixed(0)} s)`);
      if (r.result) results.rows.push(r.result);
      else results.failures.push({ runner, model: name, error: r.error! });
      results.machine.minutes = ((Date.now() - started) / 60000).toFixed(1);
      writeGpuReport(out, results);
    }
  }
  const files = writeGpuReport(out, results);
  console.log(readFileSync(files.md, 'utf8'));
}

if (argv[0] === 'child') {
  const [, runner, place, rounds] = argv;
  try {
    console.log(`BENCH-RESULT ${JSON.stringify(await runChild(runner as GpuRunnerName, JSON.parse(place), Number(rounds)))}`);
  } catch (e) {
    console.log(`BENCH-ERROR ${String((e as Error)?.message ?? e).split('\n')[0].slice(0, 500)}`);
  }
  process.exit(0);
} else {
  await main();
  process.exit(0);
}
