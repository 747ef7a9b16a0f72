/**
 * pnpm bench:gpu tested on itself, here on SwiftShader with a small model (--small: ResNet-18 at 32×32): every
 * runtime is checked before it is timed, the report has a row for each runtime this adapter can run, and the
 * float16 rows say why they are missing (SwiftShader has no shader-f16). The real figures come from a GPU machine
 * (docs/gpu.md, packages/bench/results-gpu/).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './helpers.ts';

it('bench:gpu --small: checks, times and reports resnet-edge, ORT-web and tfjs on WebGPU', { timeout: 900_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gpu-'));
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'packages/bench/src/gpu/main.ts', '--small', '--rounds', '2', '--out', join(dir, 'out'), '--data', join(dir, 'models')],
      { cwd: ROOT, maxBuffer: 64 << 20 });
    const r = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
    const rows = new Map<string, any>(r.rows.map((x: any) => [x.runner, x]));
    for (const name of ['re-webgpu', 'ort-webgpu-fp32', 'tfjs-webgpu']) {
      const x = rows.get(name);
      assert.ok(x, `${name}: ${JSON.stringify(r.failures)}`);
      assert.ok(x.check.maxProbDiff <= x.check.tolerance && x.b1.median > 0 && x.b10.median > 0 && x.coldMs > 0);
      t.diagnostic(`${name}: |Δp| ${x.check.maxProbDiff.toExponential(1)}, batch 1 ${x.b1.median.toFixed(0)} ms, ${x.perRun.dispatches} dispatches, ${x.perRun.submits} submits`);
    }
    assert.equal(rows.get('re-webgpu').perRun.submits, 1, 'one submit per batch');
    assert.equal(rows.get('re-webgpu').perRun.readbacks, 1, 'one readback per batch');
    assert.ok(rows.get('re-webgpu').profile.kernelMs > 0, 'per-kernel GPU timings');
    for (const f of r.failures) assert.match(f.error, /shader-f16|requires f16/, JSON.stringify(f));
    assert.match(readFileSync(join(dir, 'out', 'results.md'), 'utf8'), /resnet-edge WebGPU, int8 pack/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
