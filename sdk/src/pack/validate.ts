import { PackError } from '../errors.js';
import { depthOf, expectedLayers } from './layout.js';
import {
  DTYPE_BYTES, MAX_PAYLOAD_BYTES, PACK_VERSION, PAYLOAD_ALIGN,
  type Architecture, type ByteRange, type PackManifest, type WeightDType,
} from './format.js';

const invalid = (what: string): PackError =>
  new PackError('PACK_INVALID', `Invalid pack manifest: ${what}. Re-create the pack with the resnet-edge converter.`);

const isInt = (v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function checkArchitecture(a: Architecture | undefined): void {
  if (!a || typeof a !== 'object') throw invalid('architecture is missing');
  const st = a.stem;
  if (!st || !isInt(st.kernel, 1, 11) || !isInt(st.stride, 1, 4) || !isInt(st.width, 1, 4096) || typeof st.maxPool !== 'boolean') {
    throw invalid('architecture.stem must have integer kernel, stride, width and a boolean maxPool');
  }
  if (a.block !== 'basic' && a.block !== 'bottleneck') throw invalid(`unknown block type ${JSON.stringify(a.block)}`);
  if (a.strideIn1x1 !== undefined && (typeof a.strideIn1x1 !== 'boolean' || (a.strideIn1x1 && a.block !== 'bottleneck'))) {
    throw invalid('architecture.strideIn1x1 must be a boolean, and true only for bottleneck blocks');
  }
  if (!['A', 'B', 'C'].includes(a.shortcut)) throw invalid(`unknown shortcut type ${JSON.stringify(a.shortcut)}`);
  if (!Array.isArray(a.stages) || a.stages.length < 1 || a.stages.length > 8) throw invalid('architecture.stages must list 1 to 8 stages');
  for (const s of a.stages) {
    if (!isInt(s?.blocks, 1, 1000) || !isInt(s.width, 1, 4096) || !isInt(s.stride, 1, 4)) {
      throw invalid('each stage needs integer blocks (1..1000), width (1..4096) and stride (1..4)');
    }
  }
  if (!isInt(a.numClasses, 1, 100000)) throw invalid('architecture.numClasses must be a positive integer');
  if (a.depth !== depthOf(a)) throw invalid(`architecture.depth is ${a.depth} but the stages give ${depthOf(a)}`);
}

function checkPreprocess(m: PackManifest): void {
  const p = m.preprocess;
  if (!p || !isInt(p.resize, 1, 4096) || !isInt(p.crop, 1, 4096) || p.crop > p.resize) {
    throw invalid('preprocess needs integer resize and crop with crop <= resize');
  }
  const triple = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!triple(p.mean) || !triple(p.std) || p.std.some((x) => x <= 0)) throw invalid('preprocess mean/std must be 3 finite numbers, std > 0');
  if (p.channelOrder !== 'RGB' || p.interpolation !== 'bilinear') throw invalid('preprocess supports RGB channel order and bilinear resize only');
}

function checkRange(r: ByteRange | undefined, bytes: number, payloadBytes: number, what: string): void {
  if (!r || !isInt(r.offset) || r.bytes !== bytes) throw invalid(`${what} must be ${bytes} bytes`);
  if (r.offset % PAYLOAD_ALIGN !== 0) throw invalid(`${what} is not ${PAYLOAD_ALIGN}-byte aligned`);
  if (r.offset + r.bytes > payloadBytes) throw invalid(`${what} ends at byte ${r.offset + r.bytes}, past the payload (${payloadBytes} bytes)`);
}

/**
 * Checks everything the manifest says against itself before a byte of payload is trusted:
 * the architecture, that the tensors are exactly the layers it needs with the right shapes,
 * that every byte range lies inside the declared payload without overlap, and the size limits.
 */
export function validateManifest(m: PackManifest): PackManifest {
  if (!m || typeof m !== 'object' || m.format !== 'resnet-edge-pack') throw invalid('format is not "resnet-edge-pack"');
  if (m.version !== PACK_VERSION) {
    throw new PackError('PACK_UNSUPPORTED', `Pack manifest version ${m.version} is not supported (this resnet-edge reads version ${PACK_VERSION}); upgrade resnet-edge or re-convert the model.`);
  }
  const payloadBytes = m.payload?.bytes;
  if (!isInt(payloadBytes)) throw invalid('payload.bytes must be a non-negative integer');
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw new PackError('PACK_TOO_LARGE', `Pack declares a payload of ${payloadBytes} bytes (${(payloadBytes / 2 ** 30).toFixed(1)} GiB), above the ${MAX_PAYLOAD_BYTES / 2 ** 30} GiB limit; this is not a ResNet pack resnet-edge can load.`);
  }
  if (typeof m.payload.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.payload.sha256)) throw invalid('payload.sha256 must be 64 lowercase hex digits');
  checkArchitecture(m.architecture);
  checkPreprocess(m);
  if (!['int8', 'float16', 'float32'].includes(m.dtype)) throw invalid(`unknown dtype ${JSON.stringify(m.dtype)}`);
  if (!Array.isArray(m.labels) || m.labels.length !== m.architecture.numClasses || m.labels.some((l) => typeof l !== 'string')) {
    throw invalid(`labels must be ${m.architecture.numClasses} strings, one per class`);
  }
  const expected = expectedLayers(m.architecture);
  if (!Array.isArray(m.tensors) || m.tensors.length !== expected.length) {
    throw invalid(`the architecture needs ${expected.length} weighted layers, the pack lists ${m.tensors?.length}`);
  }
  const ranges: ByteRange[] = [];
  expected.forEach((spec, i) => {
    const t = m.tensors[i];
    if (t?.name !== spec.name) throw invalid(`tensor ${i} should be "${spec.name}", found ${JSON.stringify(t?.name)}`);
    if (!Array.isArray(t.shape) || t.shape.join() !== spec.shape.join()) {
      throw invalid(`tensor ${spec.name} should have shape [${spec.shape}], found [${t.shape}]`);
    }
    if (t.dtype !== m.dtype) throw invalid(`tensor ${spec.name} has dtype ${t.dtype}, the pack says ${m.dtype}`);
    const out = spec.shape[0], count = spec.shape.reduce((a, b) => a * b, 1);
    checkRange(t.weight, count * DTYPE_BYTES[t.dtype as WeightDType], payloadBytes, `${spec.name} weight`);
    checkRange(t.bias, out * 4, payloadBytes, `${spec.name} bias`);
    ranges.push(t.weight, t.bias);
    if (t.dtype === 'int8') { checkRange(t.scale, out * 4, payloadBytes, `${spec.name} scale`); ranges.push(t.scale!); }
    else if (t.scale !== undefined) throw invalid(`${spec.name} has scales but is not int8`);
  });
  ranges.sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i].offset < ranges[i - 1].offset + ranges[i - 1].bytes) throw invalid('two tensors overlap in the payload');
  }
  return m;
}
