/** `resnet-edge` command line: convert, classify, eval. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ResnetEdgeError, type BackendOption } from 'resnet-edge';
import type { WeightDType } from 'resnet-edge/pack';
import { classifyCommand, convertCommand, diagnoseCommand, evalCommand, type Out } from './commands.js';

const USAGE = `usage:
  resnet-edge convert <model.onnx|model.safetensors> -o <out.pack> [--dtype int8|float16|float32]
                      [--name NAME] [--labels labels.txt] [--resize N] [--crop N]
  resnet-edge classify <image…> [--model <pack>] [--top K] [--crops 1|10] [--json] [--backend auto|wasm|webgpu]
  resnet-edge eval <folder|archive.tar.gz> [--model <pack>] [--json] [--limit N] [--workers N] [--backend …]
  resnet-edge diagnose [--software-gpu]
  (without --model: the default CIFAR-10 model embedded in resnet-edge; WebGPU needs the npm package 'webgpu')
`;

class CliUsage extends Error {}

const int = (v: string | undefined, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliUsage(`${what} must be a positive integer, got "${v}"`);
  return n;
};

async function run(argv: string[], out: Out): Promise<void> {
  const { values: o, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' }, dtype: { type: 'string' }, name: { type: 'string' }, labels: { type: 'string' },
      resize: { type: 'string' }, crop: { type: 'string' }, model: { type: 'string', short: 'm' }, top: { type: 'string' },
      json: { type: 'boolean' }, crops: { type: 'string' }, backend: { type: 'string' }, limit: { type: 'string' }, workers: { type: 'string' }, 'software-gpu': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (o.help || !command) { out.stdout(USAGE); return; }
  const run = { backend: o.backend as BackendOption | undefined, json: o.json };
  if (command === 'convert') {
    if (args.length !== 1 || !o.output) throw new CliUsage('convert takes one input file and -o <out.pack>');
    const resize = int(o.resize, '--resize'), crop = int(o.crop, '--crop') ?? resize;
    await convertCommand(args[0], o.output, {
      dtype: (o.dtype ?? 'int8') as WeightDType, name: o.name,
      labels: o.labels ? readFileSync(o.labels, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : undefined,
      preprocess: resize ? { resize, crop } : undefined,
    }, out);
  } else if (command === 'classify') {
    if (args.length === 0) throw new CliUsage('classify needs at least one image');
    const crops = o.crops === undefined ? undefined : Number(o.crops);
    if (crops !== undefined && crops !== 1 && crops !== 10) throw new CliUsage(`--crops must be 1 or 10, got "${o.crops}"`);
    await classifyCommand(args, { topK: int(o.top, '--top'), crops }, { ...run, model: o.model }, out);
  } else if (command === 'eval') {
    if (args.length !== 1) throw new CliUsage('eval takes one folder or .tar.gz archive');
    // tfjs-backend-wasm has one thread in Node: the cores are used by one classifier per worker thread.
    const workers = int(o.workers, '--workers') ?? (o.backend === 'webgpu' ? 1 : availableParallelism());
    await evalCommand(args[0], int(o.limit, '--limit'), { ...run, model: o.model, workers }, out);
  } else if (command === 'diagnose') {
    await diagnoseCommand(Boolean(o['software-gpu']), out);
  } else {
    throw new CliUsage(`unknown command "${command}"`);
  }
}

const out: Out = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
run(process.argv.slice(2), out).catch((e: unknown) => {
  if (e instanceof CliUsage || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`resnet-edge: ${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (e instanceof ResnetEdgeError) {
    process.stderr.write(`resnet-edge: ${e.name} [${e.code}]: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`resnet-edge: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  }
});
