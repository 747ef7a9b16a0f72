/** Each command's options, help text and example, and the parsing of its arguments (strict: unknown options fail). */
import { parseArgs } from 'node:util';

export class CliUsage extends Error {
  constructor(message: string, readonly command?: string) { super(message); }
}

type Option = { type: 'string' | 'boolean'; short?: string; help: string };
export interface CommandSpec { name: string; summary: string; usage: string; options: Record<string, Option>; examples: string[] }

const RUN: Record<string, Option> = {
  model: { type: 'string', short: 'm', help: 'pack file or URL (default: the CIFAR-10 model embedded in resnet-edge)' },
  backend: { type: 'string', help: 'auto | wasm | webgpu (webgpu in Node needs the npm package webgpu)' },
};

export const COMMANDS: Record<string, CommandSpec> = {
  classify: {
    name: 'classify', summary: 'top-K labels of images, folders, lists or tar archives',
    usage: 'resnet-edge classify <image|folder|archive.tar[.gz]|@list.txt>… [options]',
    options: {
      ...RUN,
      top: { type: 'string', help: 'labels per image (default 5)' },
      crops: { type: 'string', help: '1 (centre crop, default) or 10 (the paper\'s 10-crop test)' },
      json: { type: 'boolean', help: 'one JSON array per run, an array of predictions per image (image files only)' },
      jsonl: { type: 'boolean', help: 'JSON Lines: one {"image", "top"} or {"image", "error"} line per image (the default for folders, lists and archives)' },
      output: { type: 'string', short: 'o', help: 'write the JSON Lines to this file instead of stdout' },
      shard: { type: 'string', help: 'k/n: classify only the k-th of n deterministic shares of the inputs (1 ≤ k ≤ n)' },
      resume: { type: 'boolean', help: 'skip images already in --output and append the rest' },
      workers: { type: 'string', help: 'worker threads, each with its own classifier (default: one per core for batches)' },
    },
    examples: ['resnet-edge classify photo.jpg', 'resnet-edge classify photos/ -m resnet50.pack -o labels.jsonl --shard 2/8 --resume'],
  },
  convert: {
    name: 'convert', summary: 'weights you hold (PyTorch .pth, safetensors, ONNX) to a pack',
    usage: 'resnet-edge convert <model.pth|model.safetensors|model.onnx> -o <out.pack> [options]',
    options: {
      output: { type: 'string', short: 'o', help: 'the pack to write (required)' },
      dtype: { type: 'string', help: 'int8 (default) | float16 | float32' },
      name: { type: 'string', help: 'the model\'s name in the pack (default: from the file name)' },
      labels: { type: 'string', help: 'a text file with one class label per line (default: ImageNet or CIFAR-10 by class count)' },
      resize: { type: 'string', help: 'shorter side after resizing (default 256, CIFAR 32)' },
      crop: { type: 'string', help: 'centre crop size (default 224, CIFAR 32; --resize alone sets both)' },
      'stride-in-1x1': { type: 'boolean', help: 'state dicts of bottleneck ResNets: the original ResNet\'s stride on the first 1×1 ("v1"), not on the 3×3' },
    },
    examples: ['resnet-edge convert resnet50-0676ba61.pth -o resnet50.pack', 'resnet-edge convert model.safetensors -o model.pack --dtype float16 --labels labels.txt'],
  },
  eval: {
    name: 'eval', summary: 'top-1 / top-5 accuracy on labelled images (<root>/<class name>/<image>)',
    usage: 'resnet-edge eval <folder|archive.tar.gz> [options]',
    options: {
      ...RUN,
      json: { type: 'boolean', help: 'print {top1, top5, n, imagesPerSecond, workers} as JSON' },
      limit: { type: 'string', help: 'evaluate only the first N images' },
      workers: { type: 'string', help: 'worker threads, each with its own classifier (default: one per core)' },
    },
    examples: ['resnet-edge eval cifar10/test.tar.gz', 'resnet-edge eval val/ -m resnet50.pack --limit 5000 --json'],
  },
  teach: {
    name: 'teach', summary: 'your own labels: a pack taught from a folder of labelled photos (<root>/<label>/<image>)',
    usage: 'resnet-edge teach <folder|archive.tar[.gz]> -o <new.pack> [options]',
    options: {
      model: { type: 'string', short: 'm', help: 'the base pack file (default: the CIFAR-10 model embedded in resnet-edge)' },
      backend: RUN.backend,
      output: { type: 'string', short: 'o', help: 'the pack to write (required): the base model with a classifier of your labels' },
      name: { type: 'string', help: 'the model\'s name in the new pack (default: the base model\'s, "-custom")' },
      epochs: { type: 'string', help: 'training steps of the linear head (default 300)' },
    },
    examples: ['resnet-edge teach my-photos/ -o mine.pack', 'resnet-edge teach products/ -m resnet50.pack -o products.pack && resnet-edge eval products-test/ -m products.pack'],
  },
  diagnose: {
    name: 'diagnose', summary: 'what load() would run on here, and why',
    usage: 'resnet-edge diagnose [options]',
    options: {
      backend: RUN.backend,
      compute: { type: 'string', help: 'int8 (default) | float32: how an int8 pack would compute on wasm' },
      threads: { type: 'string', help: 'wasm threads to ask for' },
      'software-gpu': { type: 'boolean', help: 'let auto choose a CPU-emulated GPU adapter' },
    },
    examples: ['resnet-edge diagnose', 'resnet-edge diagnose --threads 2 --compute float32'],
  },
};

const GLOBAL: Record<string, Option> = {
  help: { type: 'boolean', short: 'h', help: 'this help' },
  verbose: { type: 'boolean', help: 'print the stack trace of an error' },
};

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, ...GLOBAL }).map(([k, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${k}${o.type === 'string' ? ' <value>' : ''}`;
    return `  ${flag.padEnd(26)} ${o.help}`;
  });
  return `${spec.usage}\n\n${spec.summary[0].toUpperCase()}${spec.summary.slice(1)}.\n\noptions:\n${rows.join('\n')}\n\nexamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`;
}

export const GLOBAL_HELP = `usage: resnet-edge <command> [options]      (resnet-edge <command> --help: its options and examples)

commands:
${Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

  --version  the installed version      --verbose  stack traces on errors
`;

export interface Parsed { command: string; values: Record<string, string | boolean | undefined>; positionals: string[] }

export function parse(argv: string[]): Parsed | 'help' | 'version' {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return 'help';
  if (command === '--version' || command === '-v') return 'version';
  const spec = COMMANDS[command];
  if (!spec) throw new CliUsage(`unknown command "${command}": use ${Object.keys(COMMANDS).join(', ')}`);
  try {
    const options = Object.fromEntries(Object.entries({ ...spec.options, ...GLOBAL }).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
    const { values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    return { command, values: values as Parsed['values'], positionals };
  } catch (e) {
    throw new CliUsage((e as Error).message.replace(/\. To specify.*$/s, ''), command);
  }
}

export function int(v: unknown, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliUsage(`${what} must be ${max < Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}` : min === 1 ? 'a positive integer' : `an integer of at least ${min}`}, got "${v}"`);
  }
  return n;
}
