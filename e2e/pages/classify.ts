// Browser page for the e2e tests: loads a pack with the public API and reports logits and predictions.
import { load, type PixelData } from 'resnet-edge';

export interface PageResult {
  backend: string;
  diagnostics: { backend: string; ok: boolean; reason: string }[];
  results: { logits: number[]; top: { label: string; index: number; probability: number }[] }[];
}

async function run(packUrl: string, images: (string | PixelData)[], wasmPaths = '/wasm/'): Promise<PageResult> {
  const clf = await load({ model: packUrl, backend: 'wasm', wasmPaths });
  try {
    const results = [];
    for (const image of images) {
      const input = typeof image === 'string' ? new Uint8Array(await (await fetch(image)).arrayBuffer()) : image;
      results.push({ logits: Array.from(await clf.logits(input)), top: await clf.classify(input) });
    }
    return { backend: clf.backend, diagnostics: [...clf.diagnostics], results };
  } finally {
    clf.dispose();
  }
}

(globalThis as unknown as { resnetEdgeRun: typeof run }).resnetEdgeRun = run;
