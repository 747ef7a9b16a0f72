import * as tf from '/work/main/node_modules/.pnpm/@tensorflow+tfjs-backend-wasm@4.22.0_@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-core/dist/index.js';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '/work/main/node_modules/.pnpm/@tensorflow+tfjs-backend-wasm@4.22.0_@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js';
(globalThis as any).lab = async (n: number, fakeCores?: number) => {
  const orig = navigator.hardwareConcurrency;
  if (fakeCores) Object.defineProperty(navigator, 'hardwareConcurrency', { value: fakeCores, configurable: true });
  setWasmPaths('/wasm/');
  if (n) setThreadsCount(n);
  await tf.setBackend('wasm');
  const info = { iso: crossOriginIsolated, hc: orig, mt: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), threads: getThreadsCount() };
  const x = tf.randomNormal([1, 112, 112, 64]) as tf.Tensor4D, f = tf.randomNormal([3, 3, 64, 64]) as tf.Tensor4D;
  tf.conv2d(x, f, 1, 'same').dataSync();
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) tf.conv2d(x, f, 1, 'same').dataSync();
  return { ...info, ms: (performance.now() - t0) / 10 };
};
