/** No leak: tf.memory().numTensors (and bytes) are the same before and after 100 classify calls. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { load } from 'resnet-edge';
import { expectedLayers } from 'resnet-edge/pack';
import { Int8ResNet } from '../sdk/src/int8/resnet.ts';
import { readPack } from '../sdk/src/pack/read.ts';
import { convertReference, modelInput, reference } from './helpers.ts';

it('100 classify calls on tfjs (compute float32) leave no tensor behind; dispose() frees the weights', async () => {
  const { pack } = await convertReference('cifar20', 'onnx', 'int8');
  const clf = await load({ model: pack, backend: 'wasm', compute: 'float32' });
  const image = modelInput(reference('cifar20'));
  await clf.classify(image); // warm-up
  const before = tf.memory();
  for (let i = 0; i < 100; i++) await clf.classify(image, { topK: 3 });
  await clf.logits(image);
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  clf.dispose();
  const layers = expectedLayers(clf.model.architecture).length; // a filter and a bias each
  assert.equal(tf.memory().numTensors, before.numTensors - 2 * layers);
});

it('100 runs on the int8 kernels: their memory stops growing after the first, answers repeat, no tfjs tensor', async () => {
  const { pack } = await convertReference('resnet18', 'onnx', 'int8');
  const clf = await load({ model: pack, backend: 'wasm' });
  const image = modelInput(reference('resnet18'));
  const tensors = tf.memory().numTensors;
  const first = await clf.logits(image);
  for (let i = 0; i < 5; i++) assert.deepEqual(await clf.logits(image), first);
  assert.equal(tf.memory().numTensors, tensors);
  clf.dispose();
  const net = await Int8ResNet.create(await readPack(pack));
  const crop = new Float32Array(3 * 224 * 224 * 3);
  net.run(crop, 3, 224, true);
  const used = net.memoryBytes;
  for (let i = 0; i < 100; i++) {
    crop.forEach((_, j) => { crop[j] = Math.sin(i * 7 + j) * (1 + (i % 5)); });
    net.run(crop, 1 + (i % 3), 224, i % 2 === 0);
  }
  assert.equal(net.memoryBytes, used);
});

it('a rejected classify call leaves no tensor behind', async () => {
  const { pack } = await convertReference('cifar20', 'onnx', 'float32');
  const clf = await load({ model: pack, backend: 'wasm' });
  const before = tf.memory().numTensors;
  await assert.rejects(clf.classify(new Uint8Array([1, 2, 3])));
  await assert.rejects(clf.classify({ data: new Uint8Array(5), width: 2, height: 2 }));
  assert.equal(tf.memory().numTensors, before);
  clf.dispose();
});
