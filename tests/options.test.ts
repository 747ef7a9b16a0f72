/**
 * Every option of load() and diagnose() is checked up front with INVALID_ARGUMENT naming the option and what it
 * takes; a pack that is not there, a network failure and an invalid pack have distinct codes; diagnose() reports what
 * load() will do with the same options.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { diagnose, load, ResnetEdgeError, type LoadOptions } from 'resnet-edge';

const rejects = (p: Promise<unknown>, code: string, message: RegExp) =>
  assert.rejects(p, (e: ResnetEdgeError) => e instanceof ResnetEdgeError && e.code === code && message.test(e.message) || assert.fail(`${(e as Error).name} ${(e as ResnetEdgeError).code}: ${(e as Error).message}`));

describe('options checked up front', () => {
  const cores = availableParallelism();
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['threads above the core count', { threads: 64 }, new RegExp(`threads must be an integer from 1 to ${cores} \\(one per core here\\), got 64`)],
    ['threads 0', { threads: 0 }, /threads must be an integer from 1/],
    ['threads -1', { threads: -1 }, /got -1/],
    ['threads 2.5', { threads: 2.5 }, /got 2\.5/],
    ['an unknown backend', { backend: 'cuda' }, /backend must be 'auto', 'webgpu' or 'wasm', got "cuda"/],
    ['an unknown compute', { compute: 'int4' }, /compute must be 'int8' or 'float32', got "int4"/],
    ['a misspelt option', { thread: 2 }, /load\(\) has no option "thread"; it takes backend, compute, threads/],
    ['a gpu without requestAdapter', { gpu: {} }, /gpu must be a WebGPU entry point with requestAdapter\(\)/],
    ['a model of the wrong type', { model: 42 }, /model must be a URL, a file path \(Node\), an ArrayBuffer or a Uint8Array, got 42/],
    ['onProgress not a function', { onProgress: 'yes' }, /onProgress must be a function/],
    ['a signal that is not an AbortSignal', { signal: {} }, /signal must be an AbortSignal/],
    ['cache not a boolean', { cache: 'no' }, /cache must be true or false/],
    ['a malformed integrity', { integrity: 'md5-abc' }, /integrity must be "sha256-<base64>" or 64 hex digits/],
    ['an unknown preprocess', { preprocess: 'draft' }, /preprocess must be 'exact' or 'fast', got "draft"/],
  ];
  for (const [name, options, message] of cases) {
    it(`load(): ${name} → INVALID_ARGUMENT, before any download`, async () => {
      await rejects(load({ model: 'http://127.0.0.1:9/never-fetched.pack', ...options } as LoadOptions), 'INVALID_ARGUMENT', message);
    });
  }
  it('diagnose(): the same checks', async () => {
    await rejects(diagnose({ threads: 64 } as never), 'INVALID_ARGUMENT', /threads must be an integer/);
    await rejects(diagnose({ backend: 'cuda' } as never), 'INVALID_ARGUMENT', /backend must be/);
    await rejects(diagnose({ model: 'x' } as never), 'INVALID_ARGUMENT', /diagnose\(\) has no option "model"/);
  });
});

describe('a pack that is not there, unreachable, or invalid: three codes', () => {
  it('a missing file: PACK_NOT_FOUND, saying it is a file', async () => {
    await rejects(load({ model: '/nonexistent/model.pack' }), 'PACK_NOT_FOUND', /no pack file at \/nonexistent\/model\.pack \(no such file\)/);
  });
  it('HTTP 404: PACK_NOT_FOUND, saying the server answered 404; a refused connection: NETWORK_ERROR; a 500: NETWORK_ERROR', async () => {
    const server = createServer((req, res) => { res.statusCode = req.url === '/broken.pack' ? 500 : 404; res.end('no'); }).listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
    const { port } = server.address() as { port: number };
    try {
      await rejects(load({ model: `http://127.0.0.1:${port}/missing.pack` }), 'PACK_NOT_FOUND', /no pack at http:\/\/127\.0\.0\.1:\d+\/missing\.pack: the server answered HTTP 404/);
      await rejects(load({ model: `http://127.0.0.1:${port}/broken.pack` }), 'NETWORK_ERROR', /answered HTTP 500/);
    } finally {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => closed.once('listening', ok));
    const free = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    await rejects(load({ model: `http://127.0.0.1:${free}/gone.pack` }), 'NETWORK_ERROR', /Could not reach http:\/\/127\.0\.0\.1:\d+\/gone\.pack: ECONNREFUSED/);
  });
  it('bytes that are not a pack: PACK_INVALID', async () => {
    await rejects(load({ model: new Uint8Array(64) }), 'PACK_INVALID', /Not a resnet-edge pack/);
  });
});

describe('diagnose() says what load() will do', () => {
  it('in Node, by default: the int8 kernels on one thread per core, as load() runs the default model', async () => {
    const d = await diagnose();
    const clf = await load();
    try {
      const wasm = d.backends.find((b) => b.backend === 'wasm')!;
      const used = clf.diagnostics.find((b) => b.backend === 'wasm')!;
      assert.equal(d.chosen, clf.backend);
      assert.equal(wasm.compute, 'int8');
      assert.equal(wasm.threads, availableParallelism());
      assert.deepEqual([wasm.compute, wasm.threads], [used.compute, used.threads]);
    } finally {
      clf.dispose();
    }
  });
  it("with { compute: 'float32', threads: 1 }: tfjs' wasm backend on one thread, as load() with the same options", async () => {
    const d = await diagnose({ compute: 'float32', threads: 1, backend: 'wasm' });
    assert.deepEqual(d.backends.map((b) => [b.backend, b.compute, b.threads]), [['wasm', 'float32', 1]]);
  });
});
