// Builds the demo with Vite: the sdk's wasm files, the embedded pack and the JPEG decoder become assets with no
// configuration. Used by serve.mjs (pnpm demo) and by the e2e tests.
import { build } from 'vite';

const root = import.meta.dirname;

/** Builds into `outDir` (default demos/web/dist) and returns it. */
export async function buildDemo(outDir = `${root}/dist`) {
  // minify: false keeps tfjs-backend-wasm's thread factory intact: tfjs turns its source text into the workers'
  // script, which a minifier breaks (resnet-edge then runs one thread and says why; see README, Backends).
  await build({ root, configFile: false, logLevel: 'warn', base: './', build: { outDir, emptyOutDir: true, target: 'es2022', minify: false } });
  return outDir;
}
