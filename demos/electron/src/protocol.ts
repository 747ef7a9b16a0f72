// app://bundle/: how the Electron demo serves its renderer and its packs. A custom protocol instead of file://
// gives the page a real origin (fetch, wasm streaming, CSP, COOP/COEP) and lets the main process decide exactly
// which files the renderer can read: the renderer build and the packs in the app's resources, nothing else.
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export const SCHEME = 'app';
export const APP_ORIGIN = `${SCHEME}://bundle`;

/** Registered before the app is ready: a standard, secure scheme that fetch() can read. */
export const PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/**
 * The renderer runs only its own scripts and no eval; wasm may compile. Threads start as blob: workers (resnet-edge's
 * int8 kernels; tfjs-backend-wasm's, which also importScripts() a blob: URL), so blob: is allowed in worker-src and
 * script-src (blob: URLs can only be made by scripts already running in the page). Without it the SDK runs one
 * thread and says the CSP is why.
 */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; " +
  "img-src 'self' blob: data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** Cross-origin isolation (SharedArrayBuffer: wasm on every core) and the CSP, on every response. */
export const HEADERS = {
  'content-security-policy': CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.pack': 'application/octet-stream',
};

/** Where the protocol reads from: the renderer build, and the folder of packs (the app's resources). */
export interface Roots {
  renderer: string;
  models: string;
}

/** The file an app:// URL names, or null when it names none or points outside its root. */
export function resolveAppPath(url: string, roots: Roots): string | null {
  let path: string;
  try {
    const u = new URL(url);
    if (u.protocol !== `${SCHEME}:` || u.host !== 'bundle') return null;
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const [root, rest] = path.startsWith('/models/') ? [roots.models, path.slice('/models/'.length)] : [roots.renderer, path.slice(1) || 'index.html'];
  const file = resolve(root, rest);
  return file.startsWith(resolve(root) + sep) ? file : null;
}

const answer = (status: number, text: string): Response =>
  new Response(text, { status, headers: { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' } });

/** The handler given to `protocol.handle('app', …)`: GET/HEAD of files under the roots, 404 for anything else. */
export function appHandler(roots: Roots): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, `${request.method} is not allowed`);
    const file = resolveAppPath(request.url, roots);
    if (!file) return answer(404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return answer(404, 'not found');
    }
    const headers = { ...HEADERS, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}
