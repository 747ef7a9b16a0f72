/**
 * tools/train_cifar.py, the trainer of the default model (docs/benchmarks.md) and of the GPU-trained ResNets
 * (docs/gpu.md): its Cutout zeroes one clipped square per image, the same in every channel; a 1-epoch run on 1,000
 * CIFAR-10 JPEGs on the CPU (as the GPU machine runs it, smaller) writes its log and weights.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, SHARED } from './helpers.ts';

const PY = '/usr/bin/python3';
const DATA = join(SHARED, 'data', 'cifar10');

describe('tools/train_cifar.py', () => {
  it('cutout: one square per image, clipped at the borders, 16 × 16 inside, the same in every channel', () => {
    const script = `
import sys, json, torch
sys.path.insert(0, 'tools')
from train_cifar import cutout
x = torch.randn(64, 3, 32, 32) + 10
out = cutout(x, 16, torch.Generator().manual_seed(3))
res = []
for i in range(64):
    z = out[i] == 0
    same = bool((z == z[0]).all())
    ys, xs = torch.nonzero(z[0], as_tuple=True)
    box = 0 if len(ys) == 0 else int((ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1))
    res.append([same, int(z[0].sum()), box, bool(torch.equal(out[i][~z], x[i][~z]))])
print(json.dumps(res))`;
    const res: [boolean, number, number, boolean][] = JSON.parse(execFileSync(PY, ['-c', script], { cwd: ROOT, encoding: 'utf8' }));
    for (const [same, zeros, box, kept] of res) {
      assert.ok(same && kept, 'every channel has the same hole; the rest is untouched');
      assert.equal(zeros, box, 'the zeros fill one rectangle');
      assert.ok(zeros > 0 && zeros <= 256);
    }
    assert.ok(res.some(([, zeros]) => zeros === 256) && res.some(([, zeros]) => zeros < 256), 'inside and clipped squares');
  });

  it('one epoch on 1,000 images on the CPU, with cutout: log and weights written', { timeout: 600_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'train-'));
    try {
      execFileSync(PY, ['tools/train_cifar.py', '--depth', '20', '--epochs', '1', '--limit', '1000', '--cutout', '16', '--data', DATA, '--out', out],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const log = readFileSync(join(out, 'train.log'), 'utf8');
      assert.match(log, /"cutout": 16/);
      assert.match(log, /^epoch +1\/1 lr [\d.]+ loss [\d.]+ train [\d.]+ % test [\d.]+ %/m);
      assert.match(log, /# final test top-1 [\d.]+ %/);
      assert.ok(existsSync(join(out, 'resnet20.safetensors')));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
