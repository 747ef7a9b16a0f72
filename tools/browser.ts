/** Helpers for the browser tests: bundle a page with esbuild, serve it on loopback, drive Chromium. */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { chromium, firefox, type Browser } from 'playwright-core';

/** The e2e suite's pages and its build folder. */
const E2E = join(import.meta.dirname, '..', 'e2e');
const requireSdk = createRequire(join(E2E, '..', 'sdk', 'package.json'));

/** Bundles pages/<name>.ts the way an app bundler would (ESM, browser conditions). */
export async function bundlePage(name: string): Promise<string> {
  const outdir = join(E2E, '.build');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(E2E, 'pages', `${name}.ts`)], outfile: join(outdir, `${name}.js`), bundle: true, format: 'esm',
    platform: 'browser', target: 'es2022', external: ['node:*'], logLevel: 'error', sourcemap: 'inline',
  });
  return outdir;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.html': 'text/html', '.png': 'image/png', '.jpg': 'image/jpeg' };

/** Static files from `routes` (URL prefix -> directory) on 127.0.0.1; `extra` serves in-memory files. */
/** With `isolated`, every response carries COOP/COEP, so the page is cross-origin isolated (wasm threads). */
export async function serve(routes: Record<string, string>, extra: Record<string, Uint8Array> = {}, isolated = false, headers: Record<string, string> = {}): Promise<{ url: string; server: Server }> {
  const policy = { ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}), ...headers };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const body = extra[path] ?? (() => {
      const prefix = Object.keys(routes).sort((a, b) => b.length - a.length).find((p) => path.startsWith(p));
      if (!prefix) return undefined;
      const file = normalize(join(routes[prefix], path.slice(prefix.length)));
      return file.startsWith(routes[prefix]) && existsSync(file) ? readFileSync(file) : undefined;
    })();
    if (!body) { res.writeHead(404, { ...policy, 'content-type': 'text/html' }).end('<h1>404</h1>'); return; }
    res.writeHead(200, { ...policy, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

export const wasmDir = (): string => dirname(requireSdk.resolve('@tensorflow/tfjs-backend-wasm'));

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Firefox ESR through Playwright's Juggler (playwright-core 1.64.1); `webgpu` turns WebGPU on (lavapipe here). */
export async function launchFirefox(webgpu = false): Promise<Browser> {
  return firefox.launch({
    channel: 'moz-firefox', executablePath: FIREFOX,
    firefoxUserPrefs: webgpu ? { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true } : {},
  });
}
