// Makes sure tests/.models holds the PyTorch reference models and outputs of the current generator
// (tools/reference.py); regenerates them from their seeds when missing or stale. Needs Debian's python3-torch.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const OUT = 'tests/.models';
const want = /GENERATOR_VERSION = (\d+)/.exec(readFileSync('tools/reference.py', 'utf8'))[1];
const have = existsSync(`${OUT}/VERSION`) ? readFileSync(`${OUT}/VERSION`, 'utf8').trim() : undefined;
if (have === want) {
  console.log(`reference models: ${OUT} is current (generator v${want})`);
} else {
  if (!existsSync('/usr/bin/python3')) throw new Error('Reference models need Debian python3-torch: apt-get install python3-torch python3-torchvision');
  console.log(`reference models: generating ${OUT} with PyTorch (generator v${want}, was ${have ?? 'absent'}) …`);
  const t0 = Date.now();
  execFileSync('/usr/bin/python3', ['-W', 'ignore', 'tools/reference.py', '--out', OUT], { stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(`reference models: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// The fuzz tests' seed files (tools/fuzz_seeds.py): a small CIFAR ResNet-8 as safetensors, ONNX and PyTorch checkpoints.
if (!existsSync(`${OUT}/fuzz/cifar8.legacy.pth`)) {
  console.log('fuzz seeds: generating tests/.models/fuzz with PyTorch …');
  execFileSync('/usr/bin/python3', ['-W', 'ignore', 'tools/fuzz_seeds.py', '--out', `${OUT}/fuzz`], { stdio: ['ignore', 'inherit', 'inherit'] });
}

// The bad-image tests' files (tools/bad_images.py).
if (!existsSync(`${OUT}/bad-images/drawing.svg`)) {
  console.log('bad images: generating tests/.models/bad-images with PIL …');
  execFileSync('/usr/bin/python3', ['tools/bad_images.py', '--out', `${OUT}/bad-images`], { stdio: ['ignore', 'inherit', 'inherit'] });
}
