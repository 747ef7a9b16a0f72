// The main process's side of the preload's API: a file dialog that returns the picked image's bytes, and the list
// of packs in the app's resources. Only the app's own page (app://bundle/) may call them.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Dialog, IpcMain, IpcMainInvokeEvent } from 'electron';
import { CHANNELS, type OpenedImage } from './bridge';
import { APP_ORIGIN } from './protocol';

export const MAX_IMAGE_BYTES = 50 * 2 ** 20;
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp'];

/** Refuses calls from any frame that is not the app's own page (a navigated-away or embedded frame). */
export function assertFromApp(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): void {
  const url = event.senderFrame?.url ?? '';
  if (!url.startsWith(`${APP_ORIGIN}/`)) throw new Error(`IPC refused: the caller (${url || 'unknown frame'}) is not ${APP_ORIGIN}/`);
}

/** Reads a picked image: a regular file of at most MAX_IMAGE_BYTES (the SDK itself checks what is inside). */
export async function readImage(path: string): Promise<OpenedImage> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  if (info.size > MAX_IMAGE_BYTES) {
    throw new Error(`${basename(path)} is ${(info.size / 2 ** 20).toFixed(1)} MiB; the demo opens images up to ${MAX_IMAGE_BYTES / 2 ** 20} MiB`);
  }
  return { name: basename(path), bytes: new Uint8Array(await readFile(path)) };
}

/** The .pack files in `dir`, default.pack first. */
export async function listModels(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.pack')).sort();
  return [...names.filter((n) => n === 'default.pack'), ...names.filter((n) => n !== 'default.pack')];
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, dialog: Pick<Dialog, 'showOpenDialog'>, modelsDir: string): void {
  ipcMain.handle(CHANNELS.openImage, async (event): Promise<OpenedImage | null> => {
    assertFromApp(event);
    const picked = await dialog.showOpenDialog({ title: 'Open an image', properties: ['openFile'], filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }] });
    if (picked.canceled || picked.filePaths.length === 0) return null;
    return readImage(picked.filePaths[0]);
  });
  ipcMain.handle(CHANNELS.listModels, async (event) => {
    assertFromApp(event);
    return listModels(modelsDir);
  });
}
