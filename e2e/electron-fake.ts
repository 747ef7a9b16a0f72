/**
 * The Electron demo's built main.cjs and preload.cjs run in Node against a stand-in for the `electron` module that
 * records what they ask of Electron: the scheme privileges, the protocol handler, the IPC handlers, the window's
 * webPreferences, the navigation and permission rules. The bundles run unchanged; only `require('electron')` is
 * answered by this file. (A real Electron run is e2e/electron-app.test.ts, when a binary is available.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';

type Handler = (...args: any[]) => any;

/** What the main process did, as Electron would see it. */
export interface MainRecord {
  privileged: { scheme: string; privileges: Record<string, boolean> }[];
  /** Set when registerSchemesAsPrivileged ran before the app was ready (Electron requires it). */
  privilegedBeforeReady: boolean;
  protocols: Map<string, (request: Request) => Promise<Response>>;
  ipc: Map<string, Handler>;
  windows: { options: any; url?: string }[];
  appEvents: Map<string, Handler>;
  contentsEvents: Map<string, Handler>;
  windowOpenHandler?: Handler;
  permissionHandler?: Handler;
  dialogCalls: unknown[];
}

export interface FakeMainOptions {
  /** What the file dialog answers (default: cancelled). */
  dialog?: () => { canceled: boolean; filePaths: string[] };
  isPackaged?: boolean;
}

/** Runs a CommonJS bundle with `electron` replaced by `fake`; every other require is Node's. */
function runBundle(file: string, fake: unknown): void {
  const nodeRequire = createRequire(file);
  const require = (id: string) => (id === 'electron' ? fake : nodeRequire(id));
  const module = { exports: {} };
  const body = compileFunction(readFileSync(file, 'utf8'), ['require', 'module', 'exports', '__filename', '__dirname'], { filename: file });
  body(require, module, module.exports, file, join(file, '..'));
}

/** Loads `<appDir>/main.cjs`, then makes the app ready; resolves once its window has loaded its URL. */
export async function startMain(appDir: string, options: FakeMainOptions = {}): Promise<MainRecord> {
  const rec: MainRecord = {
    privileged: [], privilegedBeforeReady: false, protocols: new Map(), ipc: new Map(), windows: [],
    appEvents: new Map(), contentsEvents: new Map(), dialogCalls: [],
  };
  let ready = false;
  let makeReady!: () => void;
  const whenReady = new Promise<void>((r) => { makeReady = () => { ready = true; r(); }; });
  let loaded!: () => void;
  const windowLoaded = new Promise<void>((r) => { loaded = r; });
  const contents = {
    setWindowOpenHandler: (h: Handler) => { rec.windowOpenHandler = h; },
    on: (event: string, h: Handler) => { rec.contentsEvents.set(event, h); return contents; },
  };
  class BrowserWindow {
    webContents = contents;
    constructor(public options: any) {
      rec.windows.push(this);
      rec.appEvents.get('web-contents-created')?.({}, contents);
    }
    async loadURL(url: string) { (this as { url?: string }).url = url; loaded(); }
  }
  const fake = {
    app: {
      isPackaged: options.isPackaged ?? false,
      whenReady: () => whenReady,
      on: (event: string, h: Handler) => { rec.appEvents.set(event, h); },
      quit: () => {},
    },
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: MainRecord['privileged']) => { rec.privileged.push(...schemes); rec.privilegedBeforeReady = !ready; },
      handle: (scheme: string, h: (request: Request) => Promise<Response>) => { rec.protocols.set(scheme, h); },
    },
    ipcMain: { handle: (channel: string, h: Handler) => { rec.ipc.set(channel, h); } },
    dialog: {
      showOpenDialog: async (...args: unknown[]) => { rec.dialogCalls.push(args); return (options.dialog ?? (() => ({ canceled: true, filePaths: [] })))(); },
    },
    session: { defaultSession: { setPermissionRequestHandler: (h: Handler) => { rec.permissionHandler = h; } } },
  };
  runBundle(join(appDir, 'main.cjs'), fake);
  makeReady();
  await windowLoaded;
  return rec;
}

/** What the sandboxed preload handed the page, and the IPC calls it made. */
export function runPreload(appDir: string, invoke: (channel: string, ...args: unknown[]) => Promise<unknown>): { exposed: Map<string, unknown> } {
  const exposed = new Map<string, unknown>();
  const fake = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed.set(key, api); } },
    ipcRenderer: { invoke },
  };
  // A sandboxed preload gets a require that knows only a few modules; this one knows only 'electron'.
  const file = join(appDir, 'preload.cjs');
  const require = (id: string) => {
    if (id === 'electron') return fake;
    throw new Error(`a sandboxed preload cannot require ${id}`);
  };
  const module = { exports: {} };
  compileFunction(readFileSync(file, 'utf8'), ['require', 'module', 'exports'], { filename: file })(require, module, module.exports);
  return { exposed };
}

/** An IPC event as Electron gives it to a handler: the calling frame's URL. */
export const ipcEvent = (url: string) => ({ senderFrame: { url }, sender: {} });
