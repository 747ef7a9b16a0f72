import { Int8ResNet } from '../sdk/src/int8/resnet.ts';
import { readPack } from '../sdk/src/pack/read.ts';
import { convertReference } from './helpers.ts';
for (const name of ['resnet18', 'resnet50']) {
  const { pack } = await convertReference(name, 'onnx', 'int8');
  const p = await readPack(pack);
  const img = new Float32Array(224 * 224 * 3).map((_, i) => Math.sin(i) * 2);
  const out: Record<string, Float32Array> = {};
  for (const path of ['relaxed', 'simd'] as const) {
    const net = await Int8ResNet.create(p, path);
    out[path] = net.run(img, 1, 224, true);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) { const t = performance.now(); net.run(img, 1, 224, true); times.push(performance.now() - t); }
    times.sort((a, b) => a - b);
    console.log(name, path, 'median', times[3].toFixed(1), 'min', times[0].toFixed(1), 'mem MB', (net.memoryBytes / 1e6).toFixed(1));
  }
  console.log('identical', out.relaxed.every((v, i) => v === out.simd[i]));
}
