import { readFileSync } from 'node:fs';
import { load } from './sdk/src/index.ts';
for (const [pack, ref] of [['/tmp/resnet18.onnx.float32.pack','resnet18'],['/tmp/resnet18.safetensors.int8.pack','resnet18'],['/tmp/cifar20.onnx.float32.pack','cifar20'],['/tmp/cifar20.safetensors.int8.pack','cifar20'],['/tmp/resnet50.onnx.float32.pack','resnet50'],['/tmp/resnet50.onnx.int8.pack','resnet50']]) {
  const r = JSON.parse(readFileSync(`tests/.models/${ref}.json`, 'utf8'));
  const clf = await load({ model: pack, backend: 'wasm' });
  const img = readFileSync(`tests/.models/${r.input}`);
  const t0 = Date.now();
  const logits = await clf.logits(img);
  const t1 = Date.now();
  const top = await clf.classify(img, { topK: clf.model.architecture.numClasses });
  const probs = new Float64Array(top.length); for (const p of top) probs[p.index] = p.probability;
  let maxd = 0, dot = 0, na = 0, nb = 0;
  for (let i = 0; i < probs.length; i++) { maxd = Math.max(maxd, Math.abs(probs[i] - r.probabilities[i])); dot += logits[i]*r.logits[i]; na += logits[i]**2; nb += r.logits[i]**2; }
  console.log(pack, 'ms', t1-t0, 'maxProbDiff', maxd.toExponential(2), 'cos', (dot/Math.sqrt(na*nb)).toFixed(6), 'top1', top[0].index, r.probabilities.indexOf(Math.max(...r.probabilities)));
  clf.dispose();
}
