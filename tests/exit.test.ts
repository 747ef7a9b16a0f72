/**
 * Nothing outlives the work: a Node script that loads, classifies and (or not) disposes exits right after its answer,
 * on the int8 kernels' worker threads as on tfjs, and the README's main command returns the prompt as soon as it has
 * printed. Measured as a child process' time from its answer to its exit (bound: 2 s, against 10 s before).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.ts';

const CAT = join(ROOT, 'demos/assets/cat.png');

/** Runs `node args…`; resolves with its output and the seconds between the first stdout byte and the exit. */
function timedChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; afterAnswer: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', answered = 0;
    child.stdout.on('data', (d) => { answered ||= performance.now(); stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, afterAnswer: (performance.now() - answered) / 1000 }));
  });
}

const script = (options: string, dispose: boolean) => `
import { readFileSync } from 'node:fs';
import { load } from 'resnet-edge';
const clf = await load(${options});
const [top] = await clf.classify(readFileSync(${JSON.stringify(CAT)}));
console.log(top.label, clf.diagnostics.find((d) => d.backend === clf.backend).reason);
${dispose ? 'clf.dispose();' : ''}
`;

describe('exit at once', () => {
  for (const [name, options] of [['int8 kernels, 2 threads', '{ threads: 2 }'], ['tfjs wasm (compute float32)', "{ compute: 'float32' }"]] as const) {
    for (const dispose of [true, false]) {
      it(`${name}, ${dispose ? 'with' : 'without'} dispose(): the script exits within 2 s of its answer`, async (t) => {
        const r = await timedChild(['--input-type=module', '-e', script(options, dispose)]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^cat /);
        t.diagnostic(`${r.afterAnswer.toFixed(2)} s from the answer to the exit (${r.stdout.trim()})`);
        assert.ok(r.afterAnswer < 2, `${r.afterAnswer} s`);
      });
    }
  }
  it("the README's main command returns within 2 s of printing its answer", async (t) => {
    const r = await timedChild([join(ROOT, 'sdk/dist/cli/main.js'), 'classify', CAT]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1\.\s+\d+\.\d+ %\s+cat/);
    t.diagnostic(`${r.afterAnswer.toFixed(2)} s after the first line`);
    assert.ok(r.afterAnswer < 2, `${r.afterAnswer} s`);
  });
});
