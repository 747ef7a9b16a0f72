/**
 * wasm threads in Chromium: ResNet-50 (int8 pack, 224×224) on a cross-origin isolated page with 1 thread
 * and with 2, measured in the same run, alternating, and reported as a ratio. Usage: pnpm bench:threads
 */
import { convertReference, MODELS } from '../tests/helpers.ts';
import { bundlePage, jpegWasm, launchChromium, serve, wasmDir } from '../e2e/browser.ts';
import { readFileSync } from 'node:fs';

const ROUNDS = 4, RUNS = 5;
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

const pack = (await convertReference('resnet50', 'safetensors', 'int8')).pack;
const build = await bundlePage('backends');
const html = new TextEncoder().encode('<!doctype html><meta charset="utf-8"><script type="module" src="/backends.js"></script>');
const { server, url } = await serve({ '/wasm/': wasmDir(), '/models/': MODELS, '/': build },
  { '/packs/resnet50.pack': pack, '/index.html': html, '/mozjpeg_dec.wasm': readFileSync(jpegWasm()) }, true);
const browser = await launchChromium();
const times: Record<number, number[]> = { 1: [], 2: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const threads of round % 2 ? [2, 1] : [1, 2]) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${url}/index.html`);
      await page.waitForFunction(() => 'resnetEdge' in globalThis);
      const r = await page.evaluate(([t, n]) => (globalThis as any).resnetEdge.time('/packs/resnet50.pack', '/models/input-224.png', t, n), [threads, RUNS] as const);
      if (r.threads !== threads) throw new Error(`asked for ${threads} threads, tfjs used ${r.threads}`);
      times[threads].push(...r.ms);
      await page.context().close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
const [one, two] = [median(times[1]), median(times[2])];
console.log(`Chromium ${browser.version()}, cross-origin isolated, ResNet-50 int8 224×224, ${ROUNDS * RUNS} runs each, medians:`);
console.log(`  1 thread : ${one.toFixed(0)} ms`);
console.log(`  2 threads: ${two.toFixed(0)} ms`);
console.log(`  ratio 2 threads / 1 thread: ${(two / one).toFixed(2)}`);
