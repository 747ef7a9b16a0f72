#!/usr/bin/env node
// pnpm demo: builds the demo and serves it on http://127.0.0.1:5173 (PORT to change) with COOP/COEP, so that the
// page is cross-origin isolated and wasm runs on every core. --no-isolation serves it without those headers.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { buildDemo } from './build.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.pack': 'application/octet-stream', '.svg': 'image/svg+xml' };

/** A static server for `dir`; with `isolated`, every response says COOP: same-origin and COEP: require-corp. */
export function staticServer(dir, isolated = true) {
  const policy = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  return createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...policy, 'content-type': 'text/html' }).end('<h1>404</h1>');
      return;
    }
    res.writeHead(200, { ...policy, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const isolated = !process.argv.includes('--no-isolation');
  const dir = await buildDemo();
  const port = Number(process.env.PORT ?? 5173);
  staticServer(dir, isolated).listen(port, '127.0.0.1', () => {
    console.log(`resnet-edge demo: http://127.0.0.1:${port}/ (${isolated ? 'cross-origin isolated: wasm threads on' : 'not isolated'})`);
  });
}
