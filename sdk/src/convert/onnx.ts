/** ONNX ModelProto -> graph of nodes and constant tensors (initializers and Constant nodes), nothing executed. */
import { ModelFormatError } from '../errors.js';
import { halfToFloat } from '../pack.js';
import { ProtoReader, Wire } from './protobuf.js';
import { numel, type Tensor } from './tensor.js';

export interface OnnxAttribute { name: string; i?: number; f?: number; ints: number[]; floats: number[]; s?: string; t?: Tensor }
export interface OnnxNode { opType: string; inputs: string[]; outputs: string[]; attrs: Map<string, OnnxAttribute>; name: string }
export interface OnnxGraph { nodes: OnnxNode[]; constants: Map<string, Tensor>; inputs: string[]; outputs: string[]; opset: number }

const bad = (what: string): ModelFormatError => new ModelFormatError('MODEL_FORMAT', `Not a readable ONNX file: ${what}.`);

/** Most elements a single tensor may declare (ResNet-152's largest has 2.4M). */
const MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024;

const DTYPE = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11 } as const;

function readTensor(r: ProtoReader): { name: string; tensor: Tensor } {
  const dims: number[] = [];
  let dataType = 0, name = '', raw: Uint8Array | undefined, external = false;
  const floats: number[] = [], ints: number[] = [], doubles: number[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) r.int64s(wire, dims);
    else if (field === 2 && wire === Wire.Varint) dataType = r.varint();
    else if (field === 4) {
      if (wire === Wire.Bytes) { const m = r.message(); while (!m.done) floats.push(m.float()); } else floats.push(r.float());
    } else if (field === 5 || field === 7) r.int64s(wire, ints);
    else if (field === 8 && wire === Wire.Bytes) name = r.string();
    else if (field === 9 && wire === Wire.Bytes) raw = r.bytes();
    else if (field === 10) {
      if (wire === Wire.Bytes) { const m = r.message(); while (m.end - m.pos >= 8) { doubles.push(new DataView(m.buf.buffer, m.buf.byteOffset + m.pos, 8).getFloat64(0, true)); m.pos += 8; } } else r.skip(wire);
    } else if (field === 14 && wire === Wire.Varint) external = r.varint() === 1;
    else r.skip(wire);
  }
  if (external) throw bad(`tensor "${name}" keeps its data in an external file; export the model as one file (torch.onnx.export without external data)`);
  if (dims.some((d) => d < 0)) throw bad(`tensor "${name}" has a negative dimension`);
  const count = numel(dims);
  if (count > MAX_TENSOR_ELEMENTS) throw bad(`tensor "${name}" declares ${count} elements, more than any ResNet layer`);
  // Sizes are checked against the data actually present before anything is allocated.
  if (raw) {
    const size = { [DTYPE.FLOAT]: 4, [DTYPE.FLOAT16]: 2, [DTYPE.DOUBLE]: 8, [DTYPE.INT64]: 8, [DTYPE.INT32]: 4 }[dataType];
    if (!size) throw bad(`tensor "${name}" has unsupported data type ${dataType}`);
    if (raw.length !== count * size) throw bad(`tensor "${name}" has ${raw.length} bytes of data for ${count} elements of ${size} bytes`);
    const data = new Float32Array(count);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      data[i] = dataType === DTYPE.FLOAT ? v.getFloat32(i * 4, true)
        : dataType === DTYPE.FLOAT16 ? halfToFloat(v.getUint16(i * 2, true))
          : dataType === DTYPE.DOUBLE ? v.getFloat64(i * 8, true)
            : dataType === DTYPE.INT64 ? Number(v.getBigInt64(i * 8, true)) : v.getInt32(i * 4, true);
    }
    return { name, tensor: { shape: dims, data } };
  }
  if (![DTYPE.FLOAT, DTYPE.DOUBLE, DTYPE.INT32, DTYPE.INT64].includes(dataType as 1)) throw bad(`tensor "${name}" has unsupported data type ${dataType}`);
  const src = dataType === DTYPE.FLOAT ? floats : dataType === DTYPE.DOUBLE ? doubles : ints;
  if (src.length !== count) throw bad(`tensor "${name}" has ${src.length} values for shape [${dims}]`);
  return { name, tensor: { shape: dims, data: Float32Array.from(src) } };
}

function readAttribute(r: ProtoReader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', ints: [], floats: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === Wire.Bytes) a.name = r.string();
    else if (field === 2 && wire === Wire.Fixed32) a.f = r.float();
    else if (field === 3 && wire === Wire.Varint) a.i = r.int64();
    else if (field === 4 && wire === Wire.Bytes) a.s = r.string();
    else if (field === 5 && wire === Wire.Bytes) a.t = readTensor(r.message()).tensor;
    else if (field === 7) {
      if (wire === Wire.Bytes) { const m = r.message(); while (!m.done) a.floats.push(m.float()); } else a.floats.push(r.float());
    } else if (field === 8) r.int64s(wire, a.ints);
    else r.skip(wire); // subgraphs (g, graphs) are never decoded: a ResNet has none
  }
  return a;
}

function readNode(r: ProtoReader): OnnxNode {
  const n: OnnxNode = { opType: '', inputs: [], outputs: [], attrs: new Map(), name: '' };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === Wire.Bytes) n.inputs.push(r.string());
    else if (field === 2 && wire === Wire.Bytes) n.outputs.push(r.string());
    else if (field === 3 && wire === Wire.Bytes) n.name = r.string();
    else if (field === 4 && wire === Wire.Bytes) n.opType = r.string();
    else if (field === 5 && wire === Wire.Bytes) { const a = readAttribute(r.message()); n.attrs.set(a.name, a); }
    else r.skip(wire);
  }
  return n;
}

/** ValueInfoProto: only its name (field 1) matters here. */
function valueName(r: ProtoReader): string {
  let name = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === Wire.Bytes) name = r.string(); else r.skip(wire);
  }
  return name;
}

function readGraph(r: ProtoReader, opset: number): OnnxGraph {
  const g: OnnxGraph = { nodes: [], constants: new Map(), inputs: [], outputs: [], opset };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === Wire.Bytes) g.nodes.push(readNode(r.message()));
    else if (field === 5 && wire === Wire.Bytes) { const { name, tensor } = readTensor(r.message()); g.constants.set(name, tensor); }
    else if (field === 11 && wire === Wire.Bytes) g.inputs.push(valueName(r.message()));
    else if (field === 12 && wire === Wire.Bytes) g.outputs.push(valueName(r.message()));
    else r.skip(wire);
  }
  for (const n of g.nodes) {
    if (n.opType === 'Constant' && n.attrs.get('value')?.t) g.constants.set(n.outputs[0], n.attrs.get('value')!.t!);
  }
  g.inputs = g.inputs.filter((name) => !g.constants.has(name));
  return g;
}

/** Parses an ONNX model file. Throws ModelFormatError for anything that is not a well-formed ONNX graph. */
export function readOnnx(bytes: Uint8Array): OnnxGraph {
  const r = new ProtoReader(bytes);
  let graph: ProtoReader | undefined;
  let opset = 0, irVersion = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === Wire.Varint) irVersion = r.varint();
    else if (field === 7 && wire === Wire.Bytes) graph = r.message();
    else if (field === 8 && wire === Wire.Bytes) {
      const m = r.message();
      let domain = '', version = 0;
      while (!m.done) {
        const t = m.tag();
        if (t.field === 1 && t.wire === Wire.Bytes) domain = m.string();
        else if (t.field === 2 && t.wire === Wire.Varint) version = m.varint();
        else m.skip(t.wire);
      }
      if (domain === '' || domain === 'ai.onnx') opset = version;
    } else r.skip(wire);
  }
  if (!graph || irVersion === 0) throw bad('no ir_version or graph (is this really an .onnx file?)');
  return readGraph(graph, opset);
}
