// The smallest app a user writes: no options, the embedded model, one photo. Built by Vite, webpack and rollup.
import { load } from 'resnet-edge';

async function classifyCat() {
  const clf = await load();
  try {
    const top = await clf.classify(new URL('/cat.png', location.href));
    return { backend: clf.backend, diagnostics: clf.diagnostics.map((d) => ({ ...d })), top };
  } finally {
    clf.dispose();
  }
}

globalThis.resnetEdgeApp = classifyCat().catch((e) => ({ error: `${e.name} [${e.code}]: ${e.message}` }));
