/** The web demo in headless Firefox ESR: WebGPU on (lavapipe, forced with the backend picker) and off. */
import { after, before, describe, it } from 'node:test';
import { demoServer, demoSuite, teachInDemo } from './demo-suite.ts';
import { launchFirefox } from '../tools/browser.ts';

demoSuite({ name: 'firefox-webgpu-isolated', launch: () => launchFirefox(true), isolated: true, backend: 'webgpu', expect: { backend: 'webgpu', webgpuReason: /^webgpu: adapter / } });
demoSuite({ name: 'firefox', launch: () => launchFirefox(false), isolated: false, expect: { backend: 'wasm', webgpuReason: /navigator\.gpu is not available|requestAdapter\(\) returned null/ } });

describe('demo in firefox: teach mode', () => {
  let s: Awaited<ReturnType<typeof demoServer>>;
  before(async () => { s = await demoServer(() => launchFirefox(false)); });
  after(async () => { await s?.close(); });
  it('two labels taught from photos on the page; the photos come out as them', async () => teachInDemo(await s.open()));
});
