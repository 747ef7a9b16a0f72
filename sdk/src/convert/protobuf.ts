/**
 * A small protocol-buffers wire-format reader: enough to walk ONNX files field by field without a schema
 * compiler. It never copies large byte fields (they are subarrays of the input) and checks every length.
 */
import { ModelFormatError } from '../errors.js';

export const enum Wire { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 }

const bad = (what: string): ModelFormatError => new ModelFormatError('MODEL_FORMAT', `Not a valid ONNX file: ${what}.`);

export class ProtoReader {
  pos: number;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean { return this.pos >= this.end; }

  /** Varint as a JS number; values above 2^53 are rejected (no ONNX field we read needs them). */
  varint(): number {
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw bad('a number runs past the end of its message');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw bad('a number is larger than 2^53');
        return result;
      }
      mul *= 128;
    }
    throw bad('a varint is longer than 10 bytes');
  }

  /** Signed int64 varint (two's complement), for fields like dims and attribute ints. */
  int64(): number {
    let v = 0n, shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw bad('a number runs past the end of its message');
      const b = this.buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) {
        const n = Number(BigInt.asIntN(64, v));
        if (!Number.isSafeInteger(n)) throw bad('an integer is beyond 2^53');
        return n;
      }
    }
    throw bad('a varint is longer than 10 bytes');
  }

  tag(): { field: number; wire: Wire } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wire: (t & 7) as Wire };
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) throw bad(`a field declares ${len} bytes but only ${this.end - this.pos} remain`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A nested message as its own reader over the same buffer. */
  message(): ProtoReader {
    const len = this.varint();
    if (len > this.end - this.pos) throw bad(`a message declares ${len} bytes but only ${this.end - this.pos} remain`);
    const r = new ProtoReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  string(): string { return new TextDecoder().decode(this.bytes()); }

  float(): number {
    if (this.pos + 4 > this.end) throw bad('a float runs past the end');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  skip(wire: Wire): void {
    switch (wire) {
      case Wire.Varint: this.varint(); return;
      case Wire.Fixed64: this.advance(8); return;
      case Wire.Fixed32: this.advance(4); return;
      case Wire.Bytes: this.advance(this.varint()); return;
      default: throw bad(`unknown wire type ${wire}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw bad('a field runs past the end of its message');
    this.pos += n;
  }

  /** Repeated int64 field, packed or not. */
  int64s(wire: Wire, into: number[]): void {
    if (wire === Wire.Bytes) {
      const r = this.message();
      while (!r.done) into.push(r.int64());
    } else into.push(this.int64());
  }
}
