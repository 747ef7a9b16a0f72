/**
 * PyTorch checkpoints (torch.save) read as data, against PyTorch: seeded torchvision ResNets saved the ways such files
 * come (zip and legacy formats, bare and wrapped, `module.` keys, shared and strided storages, float16 / bfloat16),
 * float32 packs within 1e-4 of PyTorch's probabilities and int8 packs with its top-1; the paper's original bottleneck
 * ("v1", stride on the first 1×1) from ONNX, safetensors and .pth; anything but tensors and containers refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load, ModelFormatError } from 'resnet-edge';
import { convert, type ConvertOptions } from 'resnet-edge/convert';
import { argmax, maxAbsDiff, MODELS, modelInput, reference } from './helpers.ts';

const file = (name: string) => new Uint8Array(readFileSync(join(MODELS, name)));
const softmax = (l: ArrayLike<number>) => { const a = Array.from(l); const m = Math.max(...a); const e = a.map((v) => Math.exp(v - m)); const s = e.reduce((x, y) => x + y); return e.map((v) => v / s); };

/** Probabilities of the model's reference input through a pack converted from `bytes`. */
async function probabilities(bytes: Uint8Array, name: string, options: ConvertOptions): Promise<{ probs: number[]; notes: string[]; v1?: boolean }> {
  const size = name.startsWith('cifar') ? 32 : 224;
  const r = await convert(bytes, { ...options, preprocess: { resize: size, crop: size } });
  const clf = await load({ model: r.pack, backend: 'wasm' });
  try {
    return { probs: softmax(await clf.logits(modelInput(reference(name)))), notes: r.notes, v1: r.architecture.strideIn1x1 };
  } finally {
    clf.dispose();
  }
}

async function parity(bytes: Uint8Array, name: string, options: ConvertOptions = {}) {
  const ref = reference(name);
  const f32 = await probabilities(bytes, name, { ...options, dtype: 'float32' });
  const i8 = await probabilities(bytes, name, { ...options, dtype: 'int8' });
  return { diff: maxAbsDiff(f32.probs, ref.probabilities), top1: [argmax(i8.probs), argmax(ref.probabilities)], notes: f32.notes, v1: f32.v1 };
}

describe('PyTorch checkpoints', () => {
  const cases: [string, string][] = [
    ['resnet18', 'zip'], ['resnet18', 'legacy-wrapped'], ['resnet18', 'zip-views'], ['resnet50', 'legacy'], ['cifar20', 'legacy-wrapped'],
  ];
  for (const [name, variant] of cases) {
    it(`${name}.${variant}.pth: float32 within 1e-4 of PyTorch, int8 same top-1`, async (t) => {
      const r = await parity(file(`${name}.${variant}.pth`), name);
      t.diagnostic(`${name}.${variant}: max |p - p_torch| ${r.diff.toExponential(2)}, int8 top-1 ${r.top1[0]} (PyTorch ${r.top1[1]})`);
      assert.ok(r.diff <= 1e-4, `${r.diff}`);
      assert.equal(r.top1[0], r.top1[1]);
    });
  }
  it('float16 and bfloat16 checkpoints: read and folded in float32, same top-1 as PyTorch, probabilities within 1e-2', async (t) => {
    const ref = reference('resnet18').probabilities;
    for (const variant of ['zip-half', 'zip-bf16']) {
      const r = await probabilities(file(`resnet18.${variant}.pth`), 'resnet18', { dtype: 'float32' });
      const diff = maxAbsDiff(r.probs, ref);
      t.diagnostic(`resnet18.${variant}: max |p - p_torch(float32 weights)| ${diff.toExponential(2)}`);
      assert.equal(argmax(r.probs), argmax(ref));
      assert.ok(diff <= 1e-2, `${diff}`);
    }
  });
  it("a bare and a wrapped, DataParallel checkpoint of the same weights give the safetensors file's pack, byte for byte", async () => {
    const want = Buffer.from((await convert(file('resnet18.safetensors'))).pack);
    for (const variant of ['zip', 'legacy-wrapped', 'zip-views']) assert.ok(want.equals((await convert(file(`resnet18.${variant}.pth`))).pack), variant);
  });
  it('a whole pickled nn.Module is refused, saying to save the state dict; nothing in it runs', async () => {
    await assert.rejects(convert(file('cifar20.module.pth')), (e: ModelFormatError) => e instanceof ModelFormatError && e.code === 'MODEL_FORMAT'
      && /holds a pickled cifar_resnet\.CifarResNet: .*never runs code.*torch\.save\(model\.state_dict\(\), 'weights\.pth'\)/.test(e.message));
  });
  it('a pickle calling os.system is refused when it names the global, before anything else', async () => {
    const evil = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cos\nsystem\n'), Buffer.from([0x58, 5, 0, 0, 0]), Buffer.from('touch'), Buffer.from([0x85, 0x52, 0x2e])]);
    const legacy = Buffer.concat([legacyHeader(), evil]);
    await assert.rejects(convert(new Uint8Array(legacy)), /holds a pickled os\.system/);
  });
});

/** The three small pickles a legacy torch.save file starts with: its magic number, protocol 1001, (empty) system info. */
function legacyHeader(): Buffer {
  const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
  return Buffer.from([...magic, 0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e, 0x80, 0x02, 0x7d, 0x2e]);
}

describe("the paper's original bottleneck (v1: the stride on the first 1×1)", () => {
  for (const name of ['resnet50-v1', 'resnet101-v1', 'resnet152-v1']) {
    it(`${name} from ONNX: the graph's strides say v1; float32 within 1e-4 of PyTorch, int8 same top-1`, async (t) => {
      const r = await parity(file(`${name}.onnx`), name);
      t.diagnostic(`${name} onnx: ${r.diff.toExponential(2)}, top-1 ${r.top1}`);
      assert.equal(r.v1, true);
      assert.ok(r.diff <= 1e-4, `${r.diff}`);
      assert.equal(r.top1[0], r.top1[1]);
    });
  }
  const stateDicts: [string, string][] = [['resnet50-v1', 'safetensors'], ['resnet101-v1', 'safetensors'], ['resnet152-v1', 'safetensors'],
    ['resnet50-v1', 'zip-model.pth'], ['resnet101-v1', 'legacy-wrapped.pth'], ['resnet152-v1', 'zip.pth']];
  for (const [name, ext] of stateDicts) {
    it(`${name}.${ext} with strideIn1x1: float32 within 1e-4 of PyTorch, int8 same top-1`, async (t) => {
      const r = await parity(file(`${name}.${ext}`), name, { strideIn1x1: true });
      t.diagnostic(`${name}.${ext}: ${r.diff.toExponential(2)}, top-1 ${r.top1}`);
      assert.equal(r.v1, true);
      assert.ok(r.diff <= 1e-4, `${r.diff}`);
      assert.equal(r.top1[0], r.top1[1]);
    });
  }
  it('a bottleneck state dict without the option: converted as v1.5, with a note naming --stride-in-1x1', async () => {
    const r = await convert(file('resnet50-v1.safetensors'), { dtype: 'float32' });
    assert.equal(r.architecture.strideIn1x1, undefined);
    assert.match(r.notes.join(' '), /holds no strides.*--stride-in-1x1/);
    assert.deepEqual((await convert(file('resnet50.safetensors'))).notes.length, 1, 'torchvision weights get the same note');
    assert.deepEqual((await convert(file('resnet18.safetensors'))).notes, [], 'basic blocks need none');
  });
  it('what resnet-edge does not run is refused by name, never converted into a wrong answer: ResNeXt, Wide ResNet', async () => {
    await assert.rejects(convert(file('resnext-tiny.safetensors')), (e: ModelFormatError) => e.code === 'MODEL_NOT_RESNET' && /grouped convolution \(4 groups, as in ResNeXt\)/.test(e.message));
    await assert.rejects(convert(file('wide-tiny.safetensors')), (e: ModelFormatError) => e.code === 'MODEL_NOT_RESNET' && /Wide ResNet\?/.test(e.message));
  });
  it('a pack without strideIn1x1 keeps its meaning (v1.5); a v1 pack runs v1 on the int8 kernels and on tfjs alike', async () => {
    const { pack } = await convert(file('resnet50-v1.onnx'), { dtype: 'int8' });
    const image = modelInput(reference('resnet50-v1'));
    const [a, b] = [await load({ model: pack, backend: 'wasm' }), await load({ model: pack, backend: 'wasm', compute: 'float32' })];
    try {
      assert.equal(argmax(await a.logits(image)), argmax(await b.logits(image)));
      assert.equal(a.model.architecture.strideIn1x1, true);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
