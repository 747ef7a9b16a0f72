// The one thing the renderer may ask of the main process, shared by main (ipc.ts), preload and renderer.

/** IPC channels; the preload exposes nothing else. */
export const CHANNELS = { openImage: 'resnet-edge:open-image', listModels: 'resnet-edge:list-models' } as const;

/** An image the person picked in the main process's file dialog. */
export interface OpenedImage {
  name: string;
  bytes: Uint8Array;
}

/** `window.resnetEdge` in the renderer: two functions, no Node, no ipcRenderer. */
export interface DesktopApi {
  /** Shows the file dialog; the picked image's bytes, or null when the person cancels. */
  openImage(): Promise<OpenedImage | null>;
  /** The packs shipped in the app's resources (file names; served at app://bundle/models/<name>). */
  listModels(): Promise<string[]>;
}
