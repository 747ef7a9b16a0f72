/**
 * Batch work with `resnet-edge classify`: a folder, a list file and a tar archive in one run give one JSON Lines line
 * per image, errors as lines of their own; three shards (--shard k/3) cover the inputs exactly once and agree with the
 * unsharded run; --resume after a killed run (a half-written last line) finishes the job without repeating an image.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SHARED, cli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'resnet-edge-batch-'));
const images = join(dir, 'images');
type Line = { image: string; top?: { label: string; index: number; probability: number }[]; error?: { code: string; message: string } };
const readLines = (file: string): Line[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
let inputs: string[];
let full: Map<string, Line>;

before(async () => {
  execFileSync('tar', ['xzf', join(SHARED, 'data/cifar10/test.tar.gz'), '-C', dir, '--wildcards', 'test/cat/00[0-2]*', 'test/ship/00[0-2]*']);
  cpSync(join(dir, 'test'), images, { recursive: true });
  writeFileSync(join(images, 'cat', 'not-an-image.jpg'), '# not a JPEG');
  execFileSync('tar', ['czf', join(dir, 'ships.tar.gz'), '-C', join(dir, 'test'), 'ship']);
  writeFileSync(join(dir, 'list.txt'), '# two files and one that is not there\nimages/cat/0001.jpg\nimages/ship/0002.jpg\nmissing.jpg\n');
  inputs = [images, `@${join(dir, 'list.txt')}`, join(dir, 'ships.tar.gz')];
  const r = await cli('classify', ...inputs, '-o', join(dir, 'all.jsonl'), '--top', '2', '--workers', '2');
  assert.equal(r.code, 0, r.stderr);
  full = new Map(readLines(join(dir, 'all.jsonl')).map((l) => [l.image, l]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('classify: batches as JSON Lines', () => {
  it('a folder (recursively), a list and a tar archive: a line per image, errors as lines', () => {
    const lines = readLines(join(dir, 'all.jsonl'));
    assert.equal(lines.length, 61 + 3 + 30, 'folder: 60 JPEGs and a broken one; list: 3; archive: 30');
    assert.equal(full.size, lines.length - 2, 'the list names two images the folder also holds: same name, same line twice');
    assert.deepEqual(full.get(join(images, 'cat', 'not-an-image.jpg'))!.error!.code, 'IMAGE_UNSUPPORTED');
    assert.equal(full.get(join(dir, 'missing.jpg'))!.error!.code, 'IMAGE_NOT_FOUND');
    const ship = full.get(`${join(dir, 'ships.tar.gz')}:ship/0000.jpg`)!;
    assert.equal(ship.top!.length, 2);
    assert.deepEqual(ship.top, full.get(join(images, 'ship', '0000.jpg'))!.top, 'the archive member and the file agree');
    const cats = lines.filter((l) => l.image.includes('/cat/') && l.top);
    assert.ok(cats.filter((l) => l.top![0].label === 'cat').length >= 20, 'most cats are cats');
  });

  it('without -o: JSON Lines on stdout, plain progress and a summary on stderr', async () => {
    const r = await cli('classify', join(images, 'ship'), '--top', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 30);
    assert.match(r.stderr, /classify: 30\/30 images, [\d.]+\/s, ETA 0:00/);
    assert.match(r.stderr, /classify: 30 images in [\d.]+ s, 0 errors/);
  });

  it('three shards: every image exactly once, the same answers as one run', async () => {
    const seen: string[] = [];
    for (const k of [1, 2, 3]) {
      const out = join(dir, `shard-${k}.jsonl`);
      const r = await cli('classify', ...inputs, '-o', out, '--top', '2', '--shard', `${k}/3`, '--workers', '1');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`shard ${k}/3 of 94: \\d+ images`));
      for (const l of readLines(out)) {
        seen.push(l.image);
        assert.deepEqual(l, full.get(l.image));
      }
    }
    assert.deepEqual([...new Set(seen)].sort(), [...full.keys()].sort());
    assert.ok(seen.length - new Set(seen).size <= 2, 'only the names listed twice in the inputs repeat');
  });

  it('--resume after a killed run: the half-written line is cut, the rest appended, nothing repeated', async () => {
    const out = join(dir, 'resumed.jsonl');
    const first = await cli('classify', join(images, 'cat'), '-o', out, '--top', '2');
    assert.equal(first.code, 0, first.stderr);
    const done = readFileSync(out, 'utf8').split('\n').slice(0, 10).join('\n');
    writeFileSync(out, `${done}\n{"image":"${join(images, 'cat', '0011.jpg')}","top":[{"lab`); // killed mid-line
    const r = await cli('classify', join(images, 'cat'), '-o', out, '--top', '2', '--resume');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /21 images in [\d.]+ s, 1 error, 10 already in/);
    const lines = readLines(out);
    assert.equal(lines.length, 31);
    assert.equal(new Set(lines.map((l) => l.image)).size, 31);
  });

  it('usage errors: --resume without -o, a bad --shard, --json with a folder', async () => {
    for (const [args, message] of [[['--resume'], /--resume needs -o/], [['--shard', '4/3', '-o', join(dir, 'x.jsonl')], /--shard must be k\/n with 1 ≤ k ≤ n, got "4\/3"/], [['--json'], /--json prints one array for image files/]] as const) {
      const r = await cli('classify', images, ...args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /resnet-edge classify --help/);
    }
  });
});
