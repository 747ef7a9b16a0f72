/**
 * Fuzz cases for the PyTorch checkpoint reader: byte mutations of a zip and a legacy checkpoint, edits inside their
 * pickles (opcode and argument bytes), and generated hostile files: deep nesting, huge memo indices and lengths,
 * forbidden globals, tensors larger than their storage, storages past the data, damaged zip directories.
 */
import { int, mutate, pick, type Rng } from './mutate.ts';
import type { Case } from './pack.ts';

const PROTO = [0x80, 0x02];
const STOP = 0x2e;
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const str = (s: string) => [0x58, ...u32(s.length), ...new TextEncoder().encode(s)];
const global = (module: string, name: string) => [0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)];
/** The first pickles of a legacy file (magic number, protocol 1001, empty system info), before the main object. */
const LEGACY = [...PROTO, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, STOP, ...PROTO, 0x4d, 0xe9, 0x03, STOP, ...PROTO, 0x7d, STOP];

/** A legacy checkpoint whose main pickle is `body`, then the storage keys and their data as given. */
function legacy(body: number[], keys: string[] = [], data: number[] = []): Uint8Array {
  const list = [...PROTO, 0x5d, 0x28, ...keys.flatMap(str), 0x65, STOP];
  return Uint8Array.from([...LEGACY, ...PROTO, ...body, STOP, ...list, ...data]);
}

/** {'w': _rebuild_tensor_v2(storage(numel), offset, size, stride, False, OrderedDict())}, the storage holding `have` floats. */
function tensorFile(numel: number, offset: number, size: number[], stride: number[], have: number): Uint8Array {
  const tuple = (xs: number[]) => [0x28, ...xs.flatMap((x) => [0x4a, ...u32(x)]), 0x74];
  const pid = [0x28, ...str('storage'), ...global('torch', 'FloatStorage'), ...str('k'), ...str('cpu'), 0x4a, ...u32(numel), 0x4e, 0x74, 0x51];
  const body = [0x7d, ...str('w'), ...global('torch._utils', '_rebuild_tensor_v2'), 0x28, ...pid, 0x4a, ...u32(offset), ...tuple(size), ...tuple(stride),
    0x89, ...global('collections', 'OrderedDict'), 0x29, 0x52, 0x74, 0x52, 0x73];
  const count = [have & 255, (have >>> 8) & 255, (have >>> 16) & 255, (have >>> 24) & 255, 0, 0, 0, 0];
  return legacy(body, ['k'], [...count, ...new Array(have * 4).fill(0x3f)]);
}

const GENERATED: Record<string, (r: Rng) => Uint8Array> = {
  deepLists: (r) => { const n = int(r, 1000, 200000); return legacy([...new Array(n).fill(0x5d), ...new Array(n - 1).fill(0x61)]); },
  manyMarks: (r) => legacy([...new Array(int(r, 1000, 200000)).fill(0x28), 0x74]),
  hugeMemoIndex: (r) => legacy([0x5d, 0x72, ...u32(pick(r, [0xffffffff, 2 ** 31, 123456789])), 0x6a, ...u32(int(r, 0, 2 ** 31))]),
  hugeLength: (r) => legacy([pick(r, [0x58, 0x42]), ...u32(pick(r, [0xffffffff, 2 ** 31, 1 << 24]))]),
  hugeLength8: (r) => legacy([pick(r, [0x8d, 0x8e]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, int(r, 0, 0x7f)]),
  forbiddenGlobal: (r) => {
    const [m, n] = pick(r, [['os', 'system'], ['builtins', 'eval'], ['subprocess', 'Popen'], ['torch.nn.modules.conv', 'Conv2d'], ['numpy.core.multiarray', '_reconstruct'], ['__builtin__', 'exec']]);
    return legacy(r() < 0.5 ? [...global(m, n), ...str('x'), 0x85, 0x52] : [...str(m), ...str(n), 0x93, 0x29, 0x52]);
  },
  tensorPastStorage: (r) => tensorFile(int(r, 1, 64), int(r, 0, 100), [int(r, 1, 1000), int(r, 1, 1000)], [int(r, 0, 1000), int(r, 0, 3)], int(r, 0, 64)),
  broadcastTensor: (r) => tensorFile(1, 0, [pick(r, [1e6, 2 ** 30, 2 ** 31 - 1])], [0], 1),
  storagePastData: (r) => tensorFile(int(r, 1, 1000), 0, [1], [1], int(r, 0, 3)),
  stackUnderflow: (r) => legacy(pick(r, [[0x61], [0x73], [0x52], [0x74], [0x75], [0x62], [0x85], [0x87]])),
  unknownOpcode: (r) => legacy([pick(r, [0x46, 0x49, 0x4c, 0x50, 0x53, 0x56, 0x67, 0x69, 0x6f, 0x81, 0x92, 0x96, 0x97, 0x98, 0xff])]),
  zipOnlyLocalHeader: (r) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array(int(r, 0, 200)).fill(0).map(() => int(r, 0, 255))]),
};

/** Offsets of the pickle opcodes a mutation can usefully hit: the main object of a legacy file or the zip's data.pkl. */
function pickleRegion(seed: Uint8Array): [number, number] {
  const pkl = new TextEncoder().encode('data.pkl');
  const at = seed.findIndex((_, i) => pkl.every((b, j) => seed[i + j] === b));
  return at > 0 && seed[0] === 0x50 ? [at + pkl.length, Math.min(seed.length, at + pkl.length + 4000)] : [LEGACY.length, Math.min(seed.length, LEGACY.length + 6000)];
}

export function pytorchCase(r: Rng, seeds: Uint8Array[]): Case {
  const seed = pick(r, seeds), kind = r();
  if (kind < 0.4) { const m = mutate(r, seed, pick(r, seeds)); return { bytes: m.bytes, how: `bytes:${m.how}` }; }
  if (kind < 0.8) {
    const bytes = seed.slice(), [lo, hi] = pickleRegion(seed);
    for (let e = int(r, 1, 4); e > 0; e--) bytes[int(r, lo, hi - 1)] = pick(r, [0, 1, 0x28, 0x2e, 0x52, 0x58, 0x63, 0x71, 0x72, 0x74, 0x7d, 0x80, 0xff, int(r, 0, 255)]);
    return { bytes, how: 'pickle' };
  }
  const name = pick(r, Object.keys(GENERATED));
  return { bytes: GENERATED[name](r), how: `generated:${name}` };
}
