/** `resnet-edge` command line: classify, convert, eval, teach, diagnose. Errors: one line with the code, exit status 1 (2: usage). */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ResnetEdgeError, type BackendOption, type Compute } from '../index.js';
import type { WeightDType } from '../pack.js';
import { teachCommand } from './teach.js';
import { CliUsage, COMMANDS, commandHelp, GLOBAL_HELP, int, parse, type Parsed } from './args.js';
import { classifyBatch, classifyFiles } from './classify.js';
import { convertCommand, diagnoseCommand, evalCommand } from './commands.js';
import { isBatch, parseShard } from './inputs.js';
import type { Out } from './run.js';

const BACKENDS = ['auto', 'wasm', 'webgpu'];

function backendOf(v: unknown): BackendOption | undefined {
  if (v !== undefined && !BACKENDS.includes(String(v))) throw new CliUsage(`--backend must be one of ${BACKENDS.join(', ')}, got "${v}"`);
  return v as BackendOption | undefined;
}

async function classify({ values: o, positionals: args }: Parsed, out: Out): Promise<void> {
  if (args.length === 0) throw new CliUsage('classify needs at least one image, folder, archive or @list', 'classify');
  const crops = int(o.crops ?? '1', '--crops', 1, 10);
  if (crops !== 1 && crops !== 10) throw new CliUsage(`--crops must be 1 or 10, got "${o.crops}"`, 'classify');
  const run = { model: o.model as string | undefined, backend: backendOf(o.backend) };
  const topK = int(o.top, '--top');
  const batch = Boolean(o.jsonl || o.output || o.shard || o.resume) || isBatch(args);
  if (o.resume && !o.output) throw new CliUsage('--resume needs -o <file.jsonl>: the images already there are skipped', 'classify');
  if (batch && o.json) throw new CliUsage('--json prints one array for image files; folders, lists and archives give JSON Lines (--jsonl)', 'classify');
  if (!batch) return classifyFiles(args, { topK, crops }, { ...run, json: Boolean(o.json) }, out);
  await classifyBatch(args, {
    ...run, topK, crops, output: o.output as string | undefined, shard: o.shard ? parseShard(String(o.shard)) : undefined,
    resume: Boolean(o.resume), workers: int(o.workers, '--workers', 1, 256), tty: Boolean(process.stderr.isTTY),
  }, out);
}

async function run(argv: string[], out: Out): Promise<void> {
  const parsed = parse(argv);
  if (parsed === 'help') return out.stdout(GLOBAL_HELP);
  if (parsed === 'version') {
    return out.stdout(`${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`);
  }
  try {
    return await runCommand(parsed, out);
  } catch (e) {
    throw e instanceof CliUsage && !e.command ? new CliUsage(e.message, parsed.command) : e;
  }
}

async function runCommand(parsed: Parsed, out: Out): Promise<void> {
  const { command, values: o, positionals: args } = parsed;
  if (o.help) return out.stdout(commandHelp(COMMANDS[command]));
  if (command === 'classify') return classify(parsed, out);
  if (command === 'convert') {
    if (args.length !== 1 || !o.output) throw new CliUsage('convert takes one input file and -o <out.pack>', command);
    const resize = int(o.resize, '--resize'), crop = int(o.crop, '--crop') ?? resize;
    return convertCommand(args[0], String(o.output), {
      dtype: (o.dtype ?? 'int8') as WeightDType, name: o.name as string | undefined,
      labels: o.labels ? readFileSync(String(o.labels), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : undefined,
      preprocess: resize ? { resize, crop: crop ?? resize } : undefined,
      strideIn1x1: o['stride-in-1x1'] ? true : undefined,
    }, out);
  }
  if (command === 'teach') {
    if (args.length !== 1 || !o.output) throw new CliUsage('teach takes one folder (a sub-folder per label) and -o <new.pack>', command);
    return teachCommand(args[0], String(o.output), {
      model: o.model as string | undefined, backend: backendOf(o.backend), name: o.name as string | undefined,
      epochs: int(o.epochs, '--epochs', 1, 100_000), tty: Boolean(process.stderr.isTTY),
    }, out);
  }
  if (command === 'eval') {
    if (args.length !== 1) throw new CliUsage('eval takes one folder or .tar.gz archive', command);
    const backend = backendOf(o.backend);
    // One single-threaded classifier per worker thread and core: whole images in parallel (see worker.ts).
    const workers = int(o.workers, '--workers', 1, 256) ?? (backend === 'webgpu' ? 1 : availableParallelism());
    await evalCommand(args[0], int(o.limit, '--limit'), { model: o.model as string | undefined, backend, json: Boolean(o.json), workers }, out);
    return;
  }
  const compute = o.compute as Compute | undefined;
  if (compute !== undefined && compute !== 'int8' && compute !== 'float32') throw new CliUsage(`--compute must be int8 or float32, got "${compute}"`, command);
  return diagnoseCommand({ backend: backendOf(o.backend), compute, threads: int(o.threads, '--threads'), softwareGpu: Boolean(o['software-gpu']) }, out);
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'it is a folder', ENOTDIR: 'a part of the path is not a folder',
};

/** One line for the user: what failed, its code, what to do; the stack only with --verbose. */
function report(e: unknown, verbose: boolean): number {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof CliUsage) {
    process.stderr.write(`resnet-edge: ${e.message}\n(resnet-edge ${e.command ?? ''}${e.command ? ' ' : ''}--help for the options)\n`);
    return 2;
  }
  if (e instanceof ResnetEdgeError) process.stderr.write(`resnet-edge: ${e.name} [${e.code}]: ${e.message}\n`);
  else if (err?.code && err.syscall) process.stderr.write(`resnet-edge: cannot ${err.syscall === 'open' ? 'read' : err.syscall} ${err.path ?? ''}: ${FS_ERRORS[err.code] ?? err.message} (${err.code})\n`);
  else process.stderr.write(`resnet-edge: ${err?.message ?? String(e)} (--verbose for the stack trace)\n`);
  if (verbose && err?.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

const argv = process.argv.slice(2);
const out: Out = { stdout: (s) => { process.stdout.write(s); }, stderr: (s) => { process.stderr.write(s); } };
run(argv, out).catch((e: unknown) => { process.exitCode = report(e, argv.includes('--verbose')); });
