/**
 * Every WebAssembly memory this process creates, so that a soak can add up the wasm heaps (tfjs-backend-wasm, the
 * int8 kernels, the JPEG decoder): instantiate() and new Instance() record an exported memory, new Memory() its
 * own. Install before the SDK first starts any of them.
 */
const memories = new Set<WebAssembly.Memory>();

export function trackWasmMemories(): void {
  const W = WebAssembly as any;
  if (W.__tracked) return;
  W.__tracked = true;
  const note = (instance: WebAssembly.Instance) => {
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.add(v);
    return instance;
  };
  const instantiate = W.instantiate.bind(WebAssembly);
  W.instantiate = async (...args: unknown[]) => {
    const r = await instantiate(...args);
    note(r instanceof WebAssembly.Instance ? r : r.instance);
    return r;
  };
  const Instance = W.Instance;
  W.Instance = new Proxy(Instance, { construct: (t, a) => note(Reflect.construct(t, a) as WebAssembly.Instance) });
  const Memory = W.Memory;
  W.Memory = new Proxy(Memory, { construct: (t, a) => { const m = Reflect.construct(t, a) as WebAssembly.Memory; memories.add(m); return m; } });
  if (W.instantiateStreaming) W.instantiateStreaming = undefined; // Emscripten falls back to instantiate()
}

/** Bytes of all wasm heaps now (a heap only grows, so this is also its peak). */
export const wasmHeapBytes = (): number => [...memories].reduce((s, m) => s + m.buffer.byteLength, 0);
export const wasmHeapCount = (): number => memories.size;
