/**
 * A reader of Python pickles (protocols 2 to 5, the binary opcodes torch.save emits) that builds plain data and never
 * runs anything: the only callables are the few the caller lists (rebuild a tensor, make an OrderedDict), a global
 * that is not listed is refused as soon as it is named, and every length is checked against the bytes left. Work
 * and memory are bounded by the file: each opcode consumes at least one byte, memo indices go to a Map.
 */
import { ModelFormatError } from '../errors.js';

export class PyTuple { constructor(readonly items: PyValue[]) {} }
/** A listed global (a class or function), usable only through REDUCE / NEWOBJ with the caller's implementation. */
export class PyGlobal { constructor(readonly name: string) {} }
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | Map<unknown, PyValue> | PyGlobal | object;

export interface PickleEnv {
  /** Implementations of the globals this file may name, by 'module.name'. */
  globals: Record<string, (args: PyValue[]) => PyValue>;
  /** Called for BINPERSID (torch's storages). */
  persistentLoad(pid: PyValue): PyValue;
  /** What to tell the user when the file names a global that is not listed. */
  refuse(name: string): ModelFormatError;
}

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

/** Runs the pickle starting at `at` to its STOP; returns the value and where the next byte is. */
export function unpickle(bytes: Uint8Array, at: number, env: PickleEnv): { value: PyValue; end: number } {
  const bad = (what: string) => new ModelFormatError('MODEL_FORMAT', `Not a readable PyTorch checkpoint: ${what} (at byte ${at}).`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => { if (n < 0 || at + n > bytes.length) throw bad(`a value of ${n} bytes runs past the end of the file`); };
  const u8 = () => { need(1); return bytes[at++]; };
  const u16 = () => { need(2); at += 2; return v.getUint16(at - 2, true); };
  const u32 = () => { need(4); at += 4; return v.getUint32(at - 4, true); };
  const u64 = () => { need(8); at += 8; const n = v.getBigUint64(at - 8, true); if (n > BigInt(bytes.length)) throw bad('a length larger than the file'); return Number(n); };
  const take = (n: number) => { need(n); at += n; return bytes.subarray(at - n, at); };
  const text = (n: number) => new TextDecoder().decode(take(n));
  const line = () => { const end = bytes.indexOf(0x0a, at); if (end < 0) throw bad('an unterminated name'); const s = text(end - at); at++; return s; };
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  const pop = (): PyValue => { const x = stack.pop(); if (x === undefined || x === MARK) throw bad('a pickle that pops an empty stack'); return x; };
  const top = (): PyValue => { const x = stack[stack.length - 1]; if (x === undefined || x === MARK) throw bad('a pickle that uses an empty stack'); return x; };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw bad('a pickle without the MARK it needs');
    return stack.splice(i).slice(1) as PyValue[];
  };
  const global = (name: string) => { if (!Object.hasOwn(env.globals, name)) throw env.refuse(name); return new PyGlobal(name); };
  const call = (f: PyValue, args: PyValue) => {
    if (!(f instanceof PyGlobal) || !(args instanceof PyTuple)) throw bad('a call of something that is not a listed global');
    return env.globals[f.name](args.items);
  };
  const dict = (d: PyValue): Map<unknown, PyValue> => { if (!(d instanceof Map)) throw bad('items set on something that is not a dict'); return d; };
  const list = (l: PyValue): PyValue[] => { if (!Array.isArray(l)) throw bad('items appended to something that is not a list'); return l; };
  const setItems = (d: Map<unknown, PyValue>, kv: PyValue[]) => {
    if (kv.length % 2) throw bad('an odd number of dict items');
    for (let i = 0; i < kv.length; i += 2) d.set(key(kv[i]), kv[i + 1]);
  };
  const key = (k: PyValue): unknown => (k instanceof PyTuple ? JSON.stringify(k.items.map(String)) : k);
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x2e: return { value: pop(), end: at }; // STOP
      case 0x28: stack.push(MARK); break;
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: need(4); stack.push(v.getInt32(at, true)); at += 4; break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: case 0x8b: { // LONG1, LONG4: little-endian two's complement
        const n = op === 0x8a ? u8() : u32(), b = take(n);
        let x = 0n;
        for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
        if (n && b[n - 1] & 0x80) x -= 1n << BigInt(8 * n);
        stack.push(x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x);
        break;
      }
      case 0x47: need(8); stack.push(v.getFloat64(at, false)); at += 8; break; // BINFLOAT (big-endian)
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64())); break; // BINUNICODE8
      case 0x55: stack.push(text(u8())); break; // SHORT_BINSTRING (Python 2 str)
      case 0x54: stack.push(text(u32())); break; // BINSTRING
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x29: stack.push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x85: stack.push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push(new PyTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push(new PyTuple([a, b, c])); break; } // TUPLE3
      case 0x74: stack.push(new PyTuple(popMark())); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const x = pop(); list(top()).push(x); break; } // APPEND
      case 0x65: { const xs = popMark(), l = list(top()); for (const x of xs) l.push(x); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const d = new Map<unknown, PyValue>(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x73: { const val = pop(), k = pop(); dict(top()).set(key(k), val); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(dict(top()), kv); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) throw bad(`a reference to memo entry ${i}, never stored`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x63: { const module = line(); stack.push(global(`${module}.${line()}`)); break; } // GLOBAL
      case 0x93: { const name = pop(), module = pop(); stack.push(global(`${String(module)}.${String(name)}`)); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); stack.push(call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ: cls.__new__(cls, *args)
      case 0x62: pop(); break; // BUILD: an object's state (an OrderedDict's _metadata); not needed, not applied
      case 0x51: stack.push(env.persistentLoad(pop())); break; // BINPERSID
      default: throw bad(`pickle opcode 0x${op.toString(16)}, which no PyTorch state dict uses`);
    }
  }
}
