/**
 * Fuzzing the five readers of files users hand us: packs, ONNX, safetensors, PyTorch checkpoints and kNN files (tools/fuzz/:
 * seeded mutations and generated files; pnpm fuzz runs the same loop longer with a new seed). Per reader, 10,000 cases: only typed errors come out, no case takes more
 * than 1 s, no single allocation exceeds 8× the file + 1 MiB, and whatever is accepted works: a pack that reads
 * loads and answers finite probabilities (or a typed error); a converted file gives a pack that reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzz, type Target } from '../tools/fuzz/run.ts';
import { targets } from '../tools/fuzz/targets.ts';

const CASES = 10_000, SEED = 20261130;

describe('fuzz', async () => {
  for (const t of await targets(300)) {
    it(`${t.name} reader: ${CASES} mutated and generated files, seed ${SEED}`, { timeout: 600_000 }, async () => {
      const rep = await fuzz(t, CASES, SEED);
      const codes = Object.entries(rep.errors).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
      console.log(`${t.name}: ${rep.cases} cases in ${rep.seconds.toFixed(0)} s; ${rep.accepted} accepted; ${codes}; slowest ${rep.slowest.ms.toFixed(0)} ms; `
        + `largest allocation ${(rep.largestAllocation.bytes / 2 ** 20).toFixed(2)} MiB`);
      assert.deepEqual(rep.failures, []);
      assert.ok(rep.accepted > 0 && Object.keys(rep.errors).length >= 2, 'the cases reach both acceptance and several distinct errors');
    });
  }

  it('the loop catches what it must: an untyped error, a slow case, an oversized allocation, a wrong accepted answer', async () => {
    let n = 0;
    const broken: Target = {
      name: 'broken', seeds: [new Uint8Array(100)], makeCase: () => ({ bytes: new Uint8Array(100), how: 'x' }),
      async read() {
        n++;
        if (n === 1) throw new TypeError('boom');
        if (n === 2) await new Promise((r) => setTimeout(r, 60));
        if (n === 3) return new Float64Array(1 << 20);
        return n;
      },
      async after(v) { if (v === 4) throw new Error('wrong answer'); },
    };
    const rep = await fuzz(broken, 5, 1, 50);
    assert.equal(rep.failures.length, 4, rep.failures.join('\n'));
    assert.match(rep.failures[0], /untyped TypeError: boom/);
    assert.match(rep.failures[1], /took \d+ ms/);
    assert.match(rep.failures[2], /allocated 8388608 bytes at once for a 100-byte file/);
    assert.match(rep.failures[3], /accepted, then wrong answer/);
  });
});
