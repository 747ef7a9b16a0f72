// The Electron demo's main process: one window with contextIsolation, sandbox and no Node in the renderer; the
// renderer and the packs served by app://bundle/ (protocol.ts); files opened through IPC (ipc.ts); nothing else.
import { app, BrowserWindow, dialog, ipcMain, protocol, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { registerIpc } from './ipc';
import { APP_ORIGIN, appHandler, PRIVILEGES, SCHEME, type Roots } from './protocol';

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: PRIVILEGES }]);

/** Packs ship as extra resources in a packaged app (process.resourcesPath/models), beside main.cjs otherwise. */
const roots = (): Roots => ({
  renderer: join(__dirname, 'renderer'),
  models: app.isPackaged ? join(process.resourcesPath, 'models') : join(__dirname, 'models'),
});

/** No new windows, no navigation away from the app, no webviews. */
function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1040, height: 860, title: 'resnet-edge',
    webPreferences: { contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, preload: join(__dirname, 'preload.cjs') },
  });
  await win.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('web-contents-created', (_event, contents) => lockDown(contents));
app.on('window-all-closed', () => app.quit());
void app.whenReady().then(async () => {
  // The demo asks for no permission (no camera, no notifications): refuse every request.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const dirs = roots();
  protocol.handle(SCHEME, appHandler(dirs));
  registerIpc(ipcMain, dialog, dirs.models);
  await createWindow();
});
