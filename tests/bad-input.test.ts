/**
 * Bad input: every broken pack, model file or image gets a typed error that says what is wrong, huge and tiny
 * images give correct results, and the same classifier keeps answering correctly afterwards.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { convert } from 'resnet-edge/convert';
import { ImageError, ModelFormatError, PackError, UsageError, load, type Classifier } from 'resnet-edge';
import { HEADER_BYTES, payloadOffset } from 'resnet-edge/pack';
import { MODELS, SHARED, convertReference, maxAbsDiff, modelInput, reference } from './helpers.ts';

let pack: Uint8Array;
let clf: Classifier;
let expected: number[];

async function stillCorrect(): Promise<void> {
  const got = await clf.logits(modelInput(reference('cifar20')));
  assert.deepEqual(Array.from(got), expected, 'the classifier answers differently after the bad input');
}

/** Rewrites a pack's manifest JSON (and header length) with `edit` applied. */
function withManifest(bytes: Uint8Array, edit: (m: Record<string, any>) => void): Uint8Array {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const m = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + len)));
  edit(m);
  const json = new TextEncoder().encode(JSON.stringify(m));
  const payload = bytes.subarray(payloadOffset(len));
  const out = new Uint8Array(payloadOffset(json.length) + payload.length);
  out.set(bytes.subarray(0, HEADER_BYTES));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, HEADER_BYTES);
  out.set(payload, payloadOffset(json.length));
  return out;
}

async function rejects(p: Promise<unknown>, type: Function, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: any) => {
    const err = e as { code: string; message: string; constructor: { name: string } };
    assert.ok(e instanceof type, `expected ${type.name}, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

before(async () => {
  pack = (await convertReference('cifar20', 'safetensors', 'float32')).pack;
  clf = await load({ model: pack, backend: 'wasm' });
  expected = Array.from(await clf.logits(modelInput(reference('cifar20'))));
});

describe('broken packs', () => {
  it('truncated', async () => {
    await rejects(load({ model: pack.subarray(0, pack.length - 1000) }), PackError, 'PACK_TRUNCATED', /truncated/);
    await rejects(load({ model: pack.subarray(0, 10) }), PackError, 'PACK_TRUNCATED', /header/);
    await stillCorrect();
  });
  it('one flipped payload byte', async () => {
    const bad = pack.slice();
    bad[bad.length - 5000] ^= 0x01;
    await rejects(load({ model: bad }), PackError, 'PACK_CORRUPT', /sha256/);
    await stillCorrect();
  });
  it('a manifest that declares 10 GB', async () => {
    const bad = withManifest(pack, (m) => { m.payload.bytes = 10e9; });
    await rejects(load({ model: bad }), PackError, 'PACK_TOO_LARGE', /10000000000 bytes/);
    await stillCorrect();
  });
  it('bytes appended after the payload', async () => {
    const bad = new Uint8Array(pack.length + 7);
    bad.set(pack);
    await rejects(load({ model: bad }), PackError, 'PACK_OVERSIZE', /unexpected bytes/);
  });
  it('a tensor shape that disagrees with the architecture', async () => {
    const bad = withManifest(pack, (m) => { m.tensors[3].shape = [16, 16, 5, 5]; });
    await rejects(load({ model: bad }), PackError, 'PACK_INVALID', /layer1\.1\.conv1 should have shape/);
  });
  it('not a pack at all', async () => {
    await rejects(load({ model: readFileSync(join(SHARED, 'images/chelsea.png')) }), PackError, 'PACK_INVALID', /Not a resnet-edge pack/);
  });
  it('a missing file', async () => {
    await rejects(load({ model: '/nonexistent/model.pack' }), PackError, 'PACK_NOT_FOUND', /no pack file at \/nonexistent\/model\.pack \(no such file\)/);
  });
});

describe('model files the converter refuses', () => {
  it('an ONNX graph that is not a ResNet', async () => {
    await rejects(convert(readFileSync(join(MODELS, 'not-a-resnet.onnx'))), ModelFormatError, 'MODEL_NOT_RESNET', /not a ResNet/);
  });
  it('a truncated ONNX file', async () => {
    const onnx = readFileSync(join(MODELS, 'cifar20.onnx'));
    await rejects(convert(onnx.subarray(0, onnx.length >> 1)), ModelFormatError, 'MODEL_FORMAT', /past the end|declares/);
  });
  it('a file that is neither ONNX, safetensors nor a PyTorch checkpoint', async () => {
    await rejects(convert(readFileSync(join(SHARED, 'images/chelsea.png'))), ModelFormatError, 'MODEL_FORMAT', /neither ONNX, safetensors nor a PyTorch checkpoint/);
  });
  it('a safetensors state dict that is not a ResNet', async () => {
    const json = new TextEncoder().encode(JSON.stringify({ 'encoder.weight': { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
    const bytes = new Uint8Array(8 + json.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    await rejects(convert(bytes), ModelFormatError, 'MODEL_NOT_RESNET', /conv1\.weight/);
  });
});

describe('images', () => {
  it('a file that is not an image', async () => {
    await rejects(clf.classify(new TextEncoder().encode('%PDF-1.4 not an image')), ImageError, 'IMAGE_UNSUPPORTED', /Not a JPEG or PNG/);
    await stillCorrect();
  });
  it('a damaged PNG', async () => {
    const png = readFileSync(join(SHARED, 'images/chelsea.png'));
    await rejects(clf.classify(png.subarray(0, 200)), ImageError, 'IMAGE_DECODE', /PNG/);
    await stillCorrect();
  });
  it('pixels whose size does not match', async () => {
    await rejects(clf.classify({ data: new Uint8Array(10), width: 4, height: 4 }), ImageError, 'IMAGE_INVALID', /bytes/);
    await stillCorrect();
  });
  it('topK out of range', async () => {
    await rejects(clf.classify(modelInput(reference('cifar20')), { topK: 11 }), UsageError, 'INVALID_ARGUMENT', /topK/);
  });
  // PyTorch's logits for the same pixels through Resize(32) + CenterCrop(32) (tools/reference.py).
  const extreme = () => reference('cifar20') as unknown as { extremeSizes: Record<string, number[]> };
  it("a 1×1 image: PyTorch's logits within 1e-4", async () => {
    const got = await clf.logits({ data: new Uint8Array([200, 120, 40]), width: 1, height: 1 });
    assert.ok(maxAbsDiff(got, extreme().extremeSizes['1x1']) < 1e-4);
    await stillCorrect();
  });
  it("a 6000×4000 image: PyTorch's logits within 1e-4", async () => {
    const w = 6000, h = 4000, data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = (Math.floor(x / 50) * 37 + Math.floor(y / 40) * 91 + c * 80 + (Math.floor((x * y) / 977) % 64)) % 256;
      }
    }
    const got = await clf.logits({ data, width: w, height: h, channels: 3 });
    assert.ok(maxAbsDiff(got, extreme().extremeSizes['6000x4000']) < 1e-4);
    await stillCorrect();
  });
});

describe('after dispose', () => {
  it('calls reject with DISPOSED', async () => {
    const other = await load({ model: pack, backend: 'wasm' });
    other.dispose();
    await rejects(other.classify(modelInput(reference('cifar20'))), UsageError, 'DISPOSED', /disposed/);
    await stillCorrect();
  });
});
