/** The pack format: streaming reads equal whole-buffer reads, progress reaches 100 %, sizes are as designed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPack, readPackStream, type ReadProgress } from 'resnet-edge/pack';
import { PackError } from 'resnet-edge';
import { convertReference } from './helpers.ts';

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('pack format', () => {
  it('reads the same from a stream of any chunk size, with progress to 100 %', async () => {
    const { pack } = await convertReference('cifar20', 'safetensors', 'int8');
    const whole = await readPack(pack);
    for (const size of [1, 7, 16, 4096, pack.length]) {
      const seen: ReadProgress[] = [];
      const streamed = await readPackStream(chunked(pack, size), (p) => seen.push(p));
      assert.deepEqual(streamed.manifest, whole.manifest);
      assert.deepEqual(streamed.payload, whole.payload);
      const downloads = seen.filter((p) => p.phase === 'download');
      assert.equal(downloads.at(-1)!.loadedBytes, pack.length);
      assert.ok(downloads.every((p) => p.totalBytes === pack.length), 'the total is known from the first event');
      assert.equal(seen.at(-1)!.phase, 'verify', 'the sha256 check comes last');
    }
  });
  it('a truncated or overlong stream is a typed error', async () => {
    const { pack } = await convertReference('cifar20', 'safetensors', 'int8');
    await assert.rejects(readPackStream(chunked(pack.subarray(0, pack.length - 1), 999)), (e: any) => e instanceof PackError && e.code === 'PACK_TRUNCATED');
    const longer = new Uint8Array(pack.length + 1);
    longer.set(pack);
    await assert.rejects(readPackStream(chunked(longer, 999)), (e: any) => e instanceof PackError && e.code === 'PACK_OVERSIZE');
  });
  it('int8 packs are a quarter of float32 (ResNet-50: close to 25.6 MB)', async () => {
    const int8 = (await convertReference('resnet50', 'safetensors', 'int8')).pack.length;
    const fp32 = (await convertReference('resnet50', 'safetensors', 'float32')).pack.length;
    const fp16 = (await convertReference('resnet50', 'safetensors', 'float16')).pack.length;
    console.log(`ResNet-50 pack sizes: int8 ${(int8 / 1e6).toFixed(2)} MB, float16 ${(fp16 / 1e6).toFixed(2)} MB, float32 ${(fp32 / 1e6).toFixed(2)} MB`);
    assert.ok(Math.abs(int8 - 25.6e6) < 0.5e6, `${int8} bytes`);
    assert.ok(Math.abs(int8 / fp32 - 0.25) < 0.01);
  });
});
