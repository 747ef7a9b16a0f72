import { readFileSync, writeFileSync } from 'node:fs';
import { convert } from './packages/converter/src/index.ts';
for (const f of process.argv.slice(2)) {
  for (const dtype of ['float32','int8'] as const) {
  const t0 = Date.now();
  const r = await convert(readFileSync(f), { dtype, preprocess: f.includes('cifar') ? undefined : { resize: 224, crop: 224 } });
  console.log(f, dtype, Date.now() - t0, 'ms', JSON.stringify(r.architecture), r.report.total, r.pack.length);
  writeFileSync(`/tmp/${f.split('/').pop()}.${dtype}.pack`, r.pack);
  }
}
