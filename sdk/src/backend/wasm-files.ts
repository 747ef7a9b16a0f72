/**
 * tfjs-backend-wasm's binaries, shipped in resnet-edge's dist/wasm/ and referenced with
 * `new URL('./…', import.meta.url)`: the pattern Vite and webpack 5 recognise, so that they emit the files
 * with the app and rewrite these URLs, with no configuration.
 */
export function bundledWasmFiles(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL('./wasm/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('./wasm/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('./wasm/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
  };
}
