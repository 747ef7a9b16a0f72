/**
 * PyTorch checkpoints (torch.save: `.pth`, `.pt`, `.th`, `.ckpt`) read as data: the zip format (PyTorch ≥ 1.6) and the
 * legacy one (older files, `_use_new_zipfile_serialization=False`). The pickle is read by pickle.ts with only what a
 * tensor state dict needs; the state dict may be bare or wrapped (`{"state_dict": …}`, `model`, `net`, …), its keys
 * prefixed `module.` (DataParallel); tensors may share a storage, start at an offset, or be strided.
 */
import { ModelFormatError } from '../errors.js';
import { ELEMENT_BYTES, elementReader, type ElementType } from './dtypes.js';
import { PyGlobal, PyTuple, unpickle, type PickleEnv, type PyValue } from './pickle.js';
import { numel, type Tensor } from './tensor.js';
import { isZip, readZip } from './zip.js';

const bad = (what: string) => new ModelFormatError('MODEL_FORMAT', `Not a readable PyTorch checkpoint: ${what}.`);

const STORAGES: Record<string, ElementType> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64', LongStorage: 'I64',
  IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};
/** Where state dicts hide in training checkpoints, most common first. */
const WRAPPERS = ['state_dict', 'model', 'net', 'model_state_dict', 'network', 'module', 'state_dict_ema', 'model_ema'];

class Storage { bytes?: Uint8Array; constructor(readonly dtype: ElementType, readonly key: string, readonly numel: number) {} }
class TensorRef { constructor(readonly storage: Storage, readonly offset: number, readonly size: number[], readonly stride: number[]) {} }

export const isTorchLegacy = (b: Uint8Array): boolean => b.length > 4 && b[0] === 0x80 && b[1] === 0x02 && b[2] === 0x8a && b[3] === 0x0a;
export const isTorch = (b: Uint8Array): boolean => isZip(b) || isTorchLegacy(b);

const ints = (v: PyValue, what: string): number[] => {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || items.some((x) => !Number.isInteger(x) || (x as number) < 0)) throw bad(`a tensor's ${what} is not a tuple of sizes`);
  return items as number[];
};

function rebuild([storage, offset, size, stride]: PyValue[]): TensorRef {
  if (!(storage instanceof Storage) || !Number.isInteger(offset) || (offset as number) < 0) throw bad('a tensor without a storage');
  const shape = ints(size, 'size'), strides = ints(stride, 'stride');
  if (shape.length !== strides.length) throw bad('a tensor whose size and stride differ in length');
  const count = numel(shape);
  const last = count === 0 ? 0 : (offset as number) + shape.reduce((s, d, i) => s + (d - 1) * strides[i], 0);
  if (count > storage.numel || last >= Math.max(storage.numel, 1)) throw bad(`a tensor of ${count} elements reaching element ${last} of a storage of ${storage.numel}`);
  return new TensorRef(storage, offset as number, shape, strides);
}

function env(resolve: (pid: PyTuple) => Storage): PickleEnv {
  const globals: PickleEnv['globals'] = {
    'collections.OrderedDict': () => new Map(),
    'torch._utils._rebuild_tensor_v2': (a) => rebuild(a),
    'torch._utils._rebuild_tensor': (a) => rebuild(a),
    'torch._utils._rebuild_parameter': ([data]) => data,
    'torch._utils._rebuild_parameter_with_state': ([data]) => data,
  };
  for (const name of Object.keys(STORAGES)) globals[`torch.${name}`] = () => { throw bad(`a ${name} built outside a tensor`); };
  return {
    globals,
    persistentLoad: (pid) => {
      if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage') throw bad('a persistent id that is not a storage');
      return resolve(pid);
    },
    refuse: (name) => new ModelFormatError('MODEL_FORMAT', `This PyTorch file holds a pickled ${name}: resnet-edge reads only tensors, `
      + 'numbers, strings and containers from PyTorch files, and never runs code from them. Save the weights alone: '
      + "torch.save(model.state_dict(), 'weights.pth') (or safetensors), and convert that."),
  };
}

/** ('storage', torch.XStorage, key, location, numel[, view]) -> a Storage (its bytes are attached later). */
function storageOf(pid: PyTuple, known: Map<string, Storage>): Storage {
  const [, type, key, , count, view] = pid.items;
  if (view !== undefined && view !== null) throw bad('a storage view (a checkpoint that saved a slice of a storage); save model.state_dict()');
  const dtype = type instanceof PyGlobal ? STORAGES[type.name.replace(/^torch\./, '')] : undefined;
  if (!dtype || typeof key !== 'string' || !Number.isInteger(count) || (count as number) < 0) throw bad('a storage of an unknown type');
  const seen = known.get(key);
  if (seen) return seen;
  const s = new Storage(dtype, key, count as number);
  known.set(key, s);
  return s;
}

function readZipCheckpoint(bytes: Uint8Array): PyValue {
  const entries = readZip(bytes);
  const pkl = [...entries.keys()].filter((n) => n.endsWith('data.pkl'));
  if (pkl.length !== 1) throw bad(`${pkl.length} data.pkl entries in the zip archive`);
  const prefix = pkl[0].slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(order) !== 'little') throw bad('a big-endian checkpoint');
  const storages = new Map<string, Storage>();
  const { value } = unpickle(entries.get(pkl[0])!, 0, env((pid) => storageOf(pid, storages)));
  for (const s of storages.values()) {
    const data = entries.get(`${prefix}data/${s.key}`);
    if (!data || data.length < s.numel * ELEMENT_BYTES[s.dtype]) throw bad(`storage ${s.key} is missing or shorter than its ${s.numel} elements`);
    s.bytes = data;
  }
  return value;
}

function readLegacyCheckpoint(bytes: Uint8Array): PyValue {
  const none = env(() => { throw bad('a storage in the header'); });
  const magic = unpickle(bytes, 0, none);
  if (magic.value !== 0x1950a86a20f9469cfc6cn) throw bad('not the legacy torch.save magic number');
  const protocol = unpickle(bytes, magic.end, none);
  if (protocol.value !== 1001) throw bad(`legacy protocol ${String(protocol.value)}, not 1001`);
  const info = unpickle(bytes, protocol.end, none);
  if (info.value instanceof Map && info.value.get('little_endian') === false) throw bad('a big-endian checkpoint');
  const storages = new Map<string, Storage>();
  const main = unpickle(bytes, info.end, env((pid) => storageOf(pid, storages)));
  const keys = unpickle(bytes, main.end, none);
  if (!Array.isArray(keys.value) || keys.value.some((k) => typeof k !== 'string')) throw bad('no list of storage keys after the object');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keys.end;
  for (const key of keys.value as string[]) {
    if (at + 8 > bytes.length) throw bad(`storage ${key} is cut short`);
    const count = Number(v.getBigInt64(at, true)), s = storages.get(key);
    const size = s ? count * ELEMENT_BYTES[s.dtype] : -1;
    if (!s || count !== s.numel || at + 8 + size > bytes.length) throw bad(`storage ${key} does not match its ${s?.numel ?? 'unknown'} elements or runs past the end`);
    s.bytes = bytes.subarray(at + 8, at + 8 + size);
    at += 8 + size;
  }
  for (const s of storages.values()) if (!s.bytes) throw bad(`storage ${s.key} has no data`);
  return main.value;
}

function materialize(t: TensorRef): Tensor {
  const read = elementReader(t.storage.dtype, t.storage.bytes!), out = new Float32Array(numel(t.size));
  const dims = t.size.length, index = new Array<number>(dims).fill(0);
  for (let i = 0, at = t.offset; i < out.length; i++) {
    out[i] = read(at);
    for (let d = dims - 1; d >= 0; d--) { // odometer over the strides
      at += t.stride[d];
      if (++index[d] < t.size[d]) break;
      at -= t.stride[d] * t.size[d];
      index[d] = 0;
    }
  }
  return { shape: [...t.size], data: out };
}

const isStateDict = (v: PyValue): v is Map<unknown, PyValue> => v instanceof Map && [...v.values()].some((x) => x instanceof TensorRef);

/** The state dict in a checkpoint: the object itself, or under one of the usual keys (one or two levels down). */
function stateDictOf(root: PyValue): Map<unknown, PyValue> {
  let found: Map<unknown, PyValue> | undefined = isStateDict(root) ? root : undefined;
  for (let level = 0, at: PyValue = root; !found && level < 2 && at instanceof Map; level++) {
    const key = WRAPPERS.find((k) => at instanceof Map && at.get(k) instanceof Map);
    if (!key) break;
    at = (at as Map<unknown, PyValue>).get(key)!;
    if (isStateDict(at)) found = at;
  }
  if (!found) {
    const keys = root instanceof Map ? [...root.keys()].slice(0, 8).map(String).join(', ') : typeof root;
    throw new ModelFormatError('MODEL_FORMAT', `No state dict of tensors in this PyTorch file (it holds: ${keys}). Save model.state_dict() and convert that.`);
  }
  return found;
}

/** A PyTorch checkpoint's state dict as named float32 tensors, `module.` prefixes removed. */
export function readTorch(bytes: Uint8Array): Map<string, Tensor> {
  const root = isZip(bytes) ? readZipCheckpoint(bytes) : readLegacyCheckpoint(bytes);
  const out = new Map<string, Tensor>();
  for (const [key, value] of stateDictOf(root)) {
    if (typeof key === 'string' && value instanceof TensorRef) out.set(key.replace(/^module\./, ''), materialize(value));
  }
  return out;
}
