#!/usr/bin/env node
/**
 * pnpm fuzz [--cases N] [--seed S] [--only pack|onnx|safetensors|pytorch|knn]: the fuzz test's loop (tests/fuzz.test.ts), longer
 * and with a new seed each run unless one is given. Prints one line per reader and every failure with its seed and
 * case number (replay: the same --seed reruns the same cases). Exits 1 if any case failed.
 */
import { fuzz } from './fuzz/run.ts';
import { targets } from './fuzz/targets.ts';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const cases = Number(arg('cases', '100000')), seed = Number(arg('seed', String(Date.now() % 1e9))), only = arg('only', '');
let failed = 0;
console.log(`pnpm fuzz: ${cases} cases per reader, seed ${seed}`);
for (const t of await targets(Math.ceil(cases / 20))) {
  if (only && t.name !== only) continue;
  const rep = await fuzz(t, cases, seed);
  const codes = Object.entries(rep.errors).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`${t.name}: ${rep.cases} cases in ${rep.seconds.toFixed(0)} s, ${rep.accepted} accepted, typed errors: ${codes}; `
    + `slowest ${rep.slowest.ms.toFixed(0)} ms (${rep.slowest.how}); largest allocation ${(rep.largestAllocation.bytes / 2 ** 20).toFixed(1)} MiB (${rep.largestAllocation.how}); failures: ${rep.failures.length}`);
  for (const f of rep.failures) console.log(`  FAIL ${f}`);
  failed += rep.failures.length;
}
process.exit(failed ? 1 : 0);
