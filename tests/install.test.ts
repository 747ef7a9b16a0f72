/**
 * As a new user: `npm install` of the packed resnet-edge tarball into a fresh project outside the workspace, then
 * `npx resnet-edge` — convert a model, classify with it and with the embedded default model, per-command help, an
 * error's one line — and the converter's API from `resnet-edge/convert`.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { MODELS, ROOT } from './helpers.ts';

const project = mkdtempSync(join(tmpdir(), 'resnet-edge-user-'));
const CAT = join(ROOT, 'demos/assets/cat.png');
/** npm's own notices (a newer npm, funding) go to stderr on a fresh machine: keep them out of the CLI's output. */
const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' };

async function npx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npx', ['--no-install', 'resnet-edge', ...args], { cwd: project, env, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

before(() => {
  execFileSync('pnpm', ['pack', '--pack-destination', project], { cwd: join(ROOT, 'sdk'), stdio: 'ignore' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `./${tarball}`], { cwd: project, env, stdio: 'ignore' });
});
after(() => rmSync(project, { recursive: true, force: true }));

describe('npm install resnet-edge, then npx resnet-edge', () => {
  it('classify with the embedded default model', async () => {
    const r = await npx('classify', CAT);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1\.\s+\d+\.\d+ %\s+cat\s+\[3\]/);
  });
  it('convert a ResNet-18, then classify with its pack', async () => {
    const pack = join(project, 'r18.pack');
    const c = await npx('convert', join(MODELS, 'resnet18.safetensors'), '-o', pack);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /wrote .*r18\.pack \(int8, 11\.\d\d MB\)/);
    const r = await npx('classify', CAT, '-m', pack, '--top', '2', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0].length, 2);
  });
  it('each command has its own --help with its options and an example; --version', async () => {
    for (const command of ['classify', 'convert', 'eval', 'diagnose']) {
      const r = await npx(command, '--help');
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^resnet-edge ${command} `));
      assert.match(r.stdout, /\noptions:\n/);
      assert.match(r.stdout, new RegExp(`\\nexamples:\\n  resnet-edge ${command}`));
    }
    assert.match((await npx('--version')).stdout, /^\d+\.\d+\.\d+\n$/);
  });
  it('an error is one line with its code and what to do, exit status 1; --verbose adds the stack', async () => {
    const r = await npx('classify', CAT, '-m', join(project, 'nope.pack'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^resnet-edge: PackError \[PACK_NOT_FOUND\]: There is no pack file at .*nope\.pack \(no such file\)\. Check the path; convert a model with `resnet-edge convert` to make one\.\n$/);
    const v = await npx('classify', CAT, '-m', join(project, 'nope.pack'), '--verbose');
    assert.match(v.stderr, /\n\s+at /);
  });
  it("the converter's API: import { convert } from 'resnet-edge/convert'", () => {
    const script = `import { convert } from 'resnet-edge/convert'; import { readFileSync } from 'node:fs';
      const r = await convert(readFileSync(${JSON.stringify(join(MODELS, 'cifar20.safetensors'))}), { dtype: 'float16' });
      console.log(r.name, r.report.dtype, r.architecture.depth);`;
    assert.equal(execFileSync('node', ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' }).trim(), 'cifar-resnet20 float16 20');
  });
});
