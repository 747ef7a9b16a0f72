/**
 * Backends in headless Chromium: WebGPU on SwiftShader (--enable-unsafe-webgpu) against wasm, every
 * fallback, and wasm threads on a cross-origin isolated page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'resnet-edge';
import { convertReference, maxAbsDiff, MODELS } from '../tests/helpers.ts';
import { backendServer, backendSuite, diagnoseIn, run, softmax } from './backend-suite.ts';
import { launchChromium } from '../tools/browser.ts';

const launch = () => launchChromium(['--enable-unsafe-webgpu']);
backendSuite('Chromium', launch, /^adapter .*swiftshader/i, true);

describe('Chromium: wasm threads with COOP/COEP', () => {
  let s: Awaited<ReturnType<typeof backendServer>>;
  before(async () => { s = await backendServer(launch, true); });
  after(async () => { await s?.close(); });

  it('a cross-origin isolated page runs threaded SIMD wasm on every core, with the same answer', async () => {
    const page = await s.open();
    const d = await diagnoseIn(page, true, 'float32');
    assert.equal(d.crossOriginIsolated, true);
    const wasm = d.backends.find((b) => b.backend === 'wasm')!;
    assert.match(wasm.reason, /^SIMD WebAssembly from \/wasm\/, 2 threads: one per core \(2 cores\)$/);
    assert.equal(wasm.threads, 2);
    // Threads are tfjs-backend-wasm's: the float32 compute path.
    const threaded = await run(page, '/packs/resnet18.pack', ['/models/input-224.png'], { backend: 'wasm', compute: 'float32' });
    assert.equal(threaded.diagnostics.find((b) => b.backend === 'wasm')!.threads, 2);
    const clf = await load({ model: (await convertReference('resnet18', 'safetensors', 'int8')).pack, backend: 'wasm', compute: 'float32' });
    const node = Array.from(await clf.logits(readFileSync(join(MODELS, 'input-224.png'))));
    clf.dispose();
    assert.ok(maxAbsDiff(softmax(threaded.logits[0]), softmax(node)) <= 1e-4);
  });

  it('an int8 pack computes on resnet-edge\'s relaxed-SIMD kernels on 2 threads: the same logits as Node\'s SIMD128 kernels', async () => {
    const page = await s.open();
    const int8 = await run(page, '/packs/resnet18.pack', ['/models/input-224.png'], { backend: 'wasm' });
    assert.match(int8.diagnostics.find((b) => b.backend === 'wasm')!.reason, /^resnet-edge's int8 kernels, relaxed SIMD, 2 threads: one per core \(2 cores\); (fused dot products \(\d+\.\d× the paired form's speed in a start-up probe\)|paired dot products \(\d+\.\d× the fused form's speed in a start-up probe\); 3×3 convolutions by Winograd F\(4×4, 3×3\) and F\(2×2, 3×3\))$/);
    const clf = await load({ model: (await convertReference('resnet18', 'safetensors', 'int8')).pack, backend: 'wasm' });
    const node = Array.from(await clf.logits(readFileSync(join(MODELS, 'input-224.png'))));
    clf.dispose();
    assert.ok(maxAbsDiff(int8.logits[0], node) <= 1e-5, `${maxAbsDiff(int8.logits[0], node)}`);
  });
});
