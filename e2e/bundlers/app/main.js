// The smallest app a user writes: no options, the embedded model, one photo. Built by Vite, webpack and rollup.
import { load } from 'resnet-edge';

async function classifyCat() {
  // ?compute=float32 runs the pack on tfjs-backend-wasm instead of resnet-edge's int8 kernels (the threads test).
  const clf = await load({ compute: new URLSearchParams(location.search).get('compute') ?? undefined });
  try {
    const top = await clf.classify(new URL('/cat.png', location.href));
    return { backend: clf.backend, diagnostics: clf.diagnostics.map((d) => ({ ...d })), top };
  } finally {
    clf.dispose();
  }
}

globalThis.resnetEdgeApp = classifyCat().catch((e) => ({ error: `${e.name} [${e.code}]: ${e.message}` }));
