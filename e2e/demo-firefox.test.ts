/** The web demo in headless Firefox ESR: WebGPU on (lavapipe, forced with the backend picker) and off. */
import { demoSuite } from './demo-suite.ts';
import { launchFirefox } from '../tools/browser.ts';

demoSuite({ name: 'firefox-webgpu-isolated', launch: () => launchFirefox(true), isolated: true, backend: 'webgpu', expect: { backend: 'webgpu', webgpuReason: /^webgpu: adapter / } });
demoSuite({ name: 'firefox', launch: () => launchFirefox(false), isolated: false, expect: { backend: 'wasm', webgpuReason: /navigator\.gpu is not available|requestAdapter\(\) returned null/ } });
