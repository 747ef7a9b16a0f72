// The preload: runs sandboxed, before the page, and hands the page exactly two functions (bridge.ts: DesktopApi).
// No ipcRenderer, no Node, no generic "invoke any channel" escape hatch.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type DesktopApi } from './bridge';

const api: DesktopApi = {
  openImage: () => ipcRenderer.invoke(CHANNELS.openImage),
  listModels: () => ipcRenderer.invoke(CHANNELS.listModels),
};

contextBridge.exposeInMainWorld('resnetEdge', api);
