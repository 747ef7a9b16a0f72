/**
 * Parity with PyTorch: seeded random weights with randomized BatchNorm statistics in the exact torchvision /
 * CIFAR architectures (tools/reference.py), exported as ONNX and as safetensors, converted and run on wasm.
 * float32 packs: probabilities within 1e-4 of PyTorch; int8: same top-1 and logits cosine >= 0.995.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { load, type Classifier } from 'resnet-edge';
import { argmax, convertReference, cosine, maxAbsDiff, modelInput, reference } from './helpers.ts';

const CASES: [string, { depth: number; block: string; shortcut: string; classes?: number }][] = [
  ['resnet18', { depth: 18, block: 'basic', shortcut: 'B' }],
  ['resnet34', { depth: 34, block: 'basic', shortcut: 'B' }],
  ['resnet50', { depth: 50, block: 'bottleneck', shortcut: 'B' }],
  ['resnet101', { depth: 101, block: 'bottleneck', shortcut: 'B' }],
  ['resnet152', { depth: 152, block: 'bottleneck', shortcut: 'B' }],
  ['cifar20', { depth: 20, block: 'basic', shortcut: 'A', classes: 10 }],
  ['cifar56', { depth: 56, block: 'basic', shortcut: 'A', classes: 10 }],
  ['resnet18-37classes', { depth: 18, block: 'basic', shortcut: 'B', classes: 37 }],
  ['resnet18-optionC', { depth: 18, block: 'basic', shortcut: 'C' }],
];

async function run(clf: Classifier, name: string) {
  const ref = reference(name);
  const logits = await clf.logits(modelInput(ref));
  const all = await clf.classify(modelInput(ref), { topK: clf.model.architecture.numClasses });
  const probs = new Float64Array(all.length);
  for (const p of all) probs[p.index] = p.probability;
  return { ref, logits, probs };
}

for (const [name, want] of CASES) {
  describe(`${name} vs PyTorch`, () => {
    for (const format of ['onnx', 'safetensors'] as const) {
      it(`${format} -> float32 pack: probabilities within 1e-4`, async () => {
        const { pack, architecture } = await convertReference(name, format, 'float32');
        assert.equal(architecture.depth, want.depth);
        assert.equal(architecture.block, want.block);
        assert.equal(architecture.shortcut, want.shortcut);
        assert.equal(architecture.numClasses, want.classes ?? 1000);
        const clf = await load({ model: pack, backend: 'wasm' });
        try {
          const { ref, probs, logits } = await run(clf, name);
          const diff = maxAbsDiff(probs, ref.probabilities);
          console.log(`${name} ${format} float32: max |p - p_torch| ${diff.toExponential(2)}`);
          assert.ok(diff <= 1e-4, `max |p - p_torch| = ${diff}`);
          assert.ok(cosine(logits, ref.logits) > 0.99999);
        } finally {
          clf.dispose();
        }
      });
      it(`${format} -> int8 pack: same top-1, logits cosine >= 0.995`, async () => {
        const { pack } = await convertReference(name, format, 'int8');
        const clf = await load({ model: pack, backend: 'wasm' });
        try {
          const { ref, logits } = await run(clf, name);
          assert.equal(argmax(logits), argmax(ref.logits), 'top-1 differs from PyTorch');
          const cos = cosine(logits, ref.logits);
          console.log(`${name} ${format} int8: top-1 ${argmax(logits)} (PyTorch ${argmax(ref.logits)}), logits cosine ${cos.toFixed(5)}`);
          assert.ok(cos >= 0.995, `cosine ${cos}`);
        } finally {
          clf.dispose();
        }
      });
    }
  });
}

describe('float16 packs', () => {
  for (const name of ['resnet50', 'cifar56']) {
    it(`${name}: same top-1, logits cosine >= 0.9999`, async () => {
      const { pack } = await convertReference(name, 'onnx', 'float16');
      const clf = await load({ model: pack, backend: 'wasm' });
      try {
        const { ref, logits } = await run(clf, name);
        assert.equal(argmax(logits), argmax(ref.logits));
        assert.ok(cosine(logits, ref.logits) >= 0.9999);
      } finally {
        clf.dispose();
      }
    });
  }
});
