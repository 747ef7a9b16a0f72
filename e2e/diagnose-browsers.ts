/**
 * Prints diagnose() as real browser situations report it (README "Backends"): headless Chromium with
 * WebGPU (--enable-unsafe-webgpu, SwiftShader) on an ordinary page, and without WebGPU on a cross-origin isolated page.
 * Usage: node --import tsx e2e/diagnose-browsers.ts
 */
import { backendServer, diagnoseIn } from './backend-suite.ts';
import { launchChromium } from '../tools/browser.ts';

const situations: [string, string[], boolean][] = [
  ['Chromium --enable-unsafe-webgpu (SwiftShader)', ['--enable-unsafe-webgpu'], false],
  ['Chromium without WebGPU, COOP/COEP page', [], true],
];
for (const [title, args, isolated] of situations) {
  const s = await backendServer(() => launchChromium(args), isolated);
  try {
    console.log(`// ${title}`);
    console.log(JSON.stringify(await diagnoseIn(await s.open(), false), null, 2));
  } finally {
    await s.close();
  }
}
