/** Fuzz cases for the ONNX reader: byte mutations, protobuf-aware edits (lengths, varints, dropped and repeated fields) and generated graphs. */
import { int, mutate, pick, type Rng } from './mutate.ts';
import type { Case } from './pack.ts';

/** A protobuf field: its bytes (scalars, strings, raw data) or, for the messages the reader descends into, its fields. */
interface PNode { field: number; wire: number; value: Uint8Array; children?: PNode[]; lie?: number }

function varint(b: Uint8Array, at: number): [number, number] | undefined {
  let v = 0, mul = 1;
  for (let i = 0; i < 10 && at + i < b.length; i++) {
    v += (b[at + i] & 0x7f) * mul;
    if (b[at + i] < 0x80) return [v, at + i + 1];
    mul *= 128;
  }
  return undefined;
}

export function encodeVarint(v: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do { const byte = Number(n & 0x7fn); n >>= 7n; out.push(n ? byte | 0x80 : byte); } while (n);
  return out;
}

/** ONNX messages the reader descends into: model.graph, model.opset_import, graph.node/initializer/input/output, node.attribute, attribute.t. */
const NESTED: Record<number, number[]> = { 0: [7, 8], 1: [1, 5, 11, 12], 2: [5], 3: [5] };

/** Parses a message (well-formed seeds only) into a tree of fields. */
export function parse(b: Uint8Array, depth = 0): PNode[] {
  const out: PNode[] = [];
  let p = 0;
  while (p < b.length) {
    const [t, at] = varint(b, p)!;
    const wire = t & 7, field = Math.floor(t / 8);
    let value: Uint8Array;
    if (wire === 0) { const [, e] = varint(b, at)!; value = b.subarray(at, e); p = e; }
    else if (wire === 1 || wire === 5) { value = b.subarray(at, at + (wire === 1 ? 8 : 4)); p = at + value.length; }
    else { const [len, d] = varint(b, at)!; value = b.subarray(d, d + len); p = d + len; }
    const node: PNode = { field, wire, value };
    if (wire === 2 && NESTED[depth]?.includes(field)) node.children = parse(value, depth + 1);
    out.push(node);
  }
  return out;
}

/** Writes the tree back; outer lengths follow inner edits, a `lie` is written as the declared length. */
export function serialize(nodes: PNode[]): Uint8Array {
  const parts: (Uint8Array | number[])[] = [];
  for (const n of nodes) {
    parts.push(encodeVarint(n.field * 8 + n.wire));
    const body = n.children ? serialize(n.children) : n.value;
    if (n.wire === 2) parts.push(encodeVarint(n.lie ?? body.length));
    parts.push(body);
  }
  return concat(...parts);
}

function flatten(nodes: PNode[], out: { list: PNode[]; i: number }[] = []) {
  nodes.forEach((n, i) => { out.push({ list: nodes, i }); if (n.children) flatten(n.children, out); });
  return out;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const field = (n: number, body: Uint8Array | number[]) => concat(encodeVarint(n * 8 + 2), encodeVarint(body.length), body);
const str = (s: string) => new TextEncoder().encode(s);

/** A whole model around one graph body (ir_version 8, opset 13). */
export const model = (graph: Uint8Array) => concat([0x08, 0x08], field(7, graph), field(8, concat([0x10, 13])));

/** Graphs no exporter writes: deep nesting, thousands of nodes on one input, tensors with absurd dims or types. */
const GENERATED: Record<string, (r: Rng) => Uint8Array> = {
  deepNesting: (r) => {
    // Written back to front: each level prepends its tag and length to what is inside it.
    const depth = int(r, 1000, 100000), buf = new Uint8Array(depth * 7 + 1);
    let at = buf.length - 1;
    buf[at] = 0x78;
    for (let i = 0; i < depth; i++) {
      const len = buf.length - at, head = [...encodeVarint(pick(r, [1, 5, 7, 20]) * 8 + 2), ...encodeVarint(len)];
      at -= head.length;
      buf.set(head, at);
    }
    return model(buf.subarray(at));
  },
  manyNodesOnOneInput: (r) => {
    const node = field(1, concat(field(1, str('input')), field(2, str('y')), field(4, str(pick(r, ['Relu', 'Conv', 'Add'])))));
    const nodes = new Uint8Array(node.length * int(r, 1000, 50000));
    for (let i = 0; i < nodes.length; i += node.length) nodes.set(node, i);
    return model(concat(field(11, field(1, str('input'))), nodes));
  },
  hugeDims: (r) => {
    const dims = Array.from({ length: int(r, 1, 6) }, () => pick(r, [2 ** 31, 2 ** 40, -1, 0, 65536, 2 ** 62])).flatMap((d) => [0x08, ...encodeVarint(d)]);
    const tensor = concat(dims, [0x10, pick(r, [1, 10, 11, 7, 6, 0, 2, 16, 999])], field(8, str('w')), r() < 0.5 ? field(9, new Uint8Array(int(r, 0, 64))) : []);
    return model(field(5, tensor));
  },
  externalData: () => model(field(5, concat([0x08, 4, 0x10, 1], field(8, str('w')), [0x70, 1]))),
  randomBytes: (r) => Uint8Array.from({ length: int(r, 0, 2048) }, (_, i) => (i === 0 && r() < 0.5 ? 0x08 : int(r, 0, 255))),
};

export function onnxCase(r: Rng, seeds: Uint8Array[]): Case {
  const seed = pick(r, seeds), kind = r();
  if (kind < 0.35) { const m = mutate(r, seed, pick(r, seeds)); return { bytes: m.bytes, how: `bytes:${m.how}` }; }
  if (kind < 0.9) {
    // Protobuf-aware: one to three edits anywhere in the tree, outer lengths kept consistent.
    const tree = parse(seed), how: string[] = [];
    for (let e = int(r, 1, 3); e > 0; e--) {
      const { list, i } = pick(r, flatten(tree)), n = list[i], edit = int(r, 0, 4);
      if (edit === 0 && n.wire === 2) { n.lie = pick(r, [0, n.value.length - 1, n.value.length + 1, 2 ** 31, 2 ** 32 - 1, 2 ** 53]); how.push(`lie(${n.field})`); }
      else if (edit === 1 && n.wire === 0) { const v = pick(r, [-1, 0, 1, 2 ** 31, 2 ** 40, 2n ** 63n, 999, 16]); list[i] = { ...n, value: Uint8Array.from(encodeVarint(v)) }; how.push(`varint(${n.field})=${v}`); }
      else if (edit === 2) { list.splice(i, 1); how.push(`drop(${n.field})`); }
      else if (edit === 3) { list.splice(i, 0, n); how.push(`repeat(${n.field})`); }
      else if (!n.children) { list[i] = { ...n, value: n.value.subarray(0, int(r, 0, n.value.length)) }; how.push(`cut(${n.field})`); }
    }
    return { bytes: serialize(tree), how: `proto:${how.join('+')}` };
  }
  const name = pick(r, Object.keys(GENERATED));
  return { bytes: GENERATED[name](r), how: `generated:${name}` };
}
