/**
 * The WebGPU entry point load() takes: `navigator.gpu` in browsers; in Node, `create([])` from the npm package
 * `webgpu`. Only what resnet-edge calls, so that the public types need no DOM or WebGPU library.
 */
export interface GpuEntry { requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<unknown> }
