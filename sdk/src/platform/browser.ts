/** The browser side of `#platform` (see ./node.ts): no file system; callers reach these only in Node (isNode()). */
const nodeOnly = (what: string): never => {
  throw new Error(`${what} is only available in Node`);
};

export const readFileBytes = (path: string | URL): Promise<Uint8Array> => nodeOnly(`Reading the file ${String(path)}`);
export const fileChunks = (path: string | URL): { chunks: AsyncIterable<Uint8Array>; close(): void } => nodeOnly(`Reading the file ${String(path)}`);
export const tfjsWasmDir = (): string => nodeOnly('A package directory');
export const jpegDecoderModule = (): Promise<WebAssembly.Module> => nodeOnly('Reading the JPEG decoder from the package');
export const cpuCount = (): number => nodeOnly('The CPU count');
