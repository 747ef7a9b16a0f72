/** The web demo in headless Chromium 156: WebGPU on (SwiftShader) and off, each with and without COOP/COEP. */
import { demoSuite } from './demo-suite.ts';
import { launchChromium } from './browser.ts';

const withGpu = () => launchChromium(['--enable-unsafe-webgpu']);
const noGpu = () => launchChromium();

demoSuite({ name: 'chromium-webgpu-isolated', launch: withGpu, isolated: true, backend: 'webgpu', expect: { backend: 'webgpu', webgpuReason: /^webgpu: adapter .*swiftshader/i } });
demoSuite({ name: 'chromium-webgpu', launch: withGpu, isolated: false, expect: { backend: 'wasm', webgpuReason: /emulates a GPU on the CPU, where SIMD wasm is faster/ } });
demoSuite({ name: 'chromium-isolated', launch: noGpu, isolated: true, expect: { backend: 'wasm', webgpuReason: /requestAdapter\(\) returned null/ } });
demoSuite({ name: 'chromium', launch: noGpu, isolated: false, expect: { backend: 'wasm', webgpuReason: /requestAdapter\(\) returned null/ } });
