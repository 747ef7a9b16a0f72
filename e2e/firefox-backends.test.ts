/** Backends in headless Firefox ESR: WebGPU on lavapipe (dom.webgpu.enabled) against wasm, and every fallback. */
import { backendSuite } from './backend-suite.ts';
import { launchFirefox } from '../tools/browser.ts';

backendSuite('Firefox ESR', () => launchFirefox(true), /^adapter (.*(llvmpipe|lavapipe)|unnamed \(the browser hides its name\))/i, false);
