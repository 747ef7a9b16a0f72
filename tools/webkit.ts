/**
 * WebKitGTK (Debian's webkit2gtk 4.1 MiniBrowser, Safari's engine) through WebKitWebDriver + selenium-webdriver on a
 * virtual display (xvfb-run): used by the WebKit demo test and by pnpm bench's WebKitGTK rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Builder, type WebDriver } from 'selenium-webdriver';

export const MINIBROWSER = process.env.WEBKIT_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** WebKitWebDriver on a free port under xvfb-run; `env` reaches the browser (JSC_* options). */
async function startDriver(port: number, env: Record<string, string>): Promise<ChildProcess> {
  // Its own process group, so that stopping it also stops Xvfb and the driver that xvfb-run started.
  const child = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true, env: { ...process.env, ...env } });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return child;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop(child);
  throw new Error('WebKitWebDriver did not start (install webkit2gtk-driver and xvfb)');
}

function stop(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch { /* already gone */ }
}

/**
 * A MiniBrowser driven by WebDriver. `sharedMemory` turns on SharedArrayBuffer (JSC_useSharedArrayBuffer), which
 * WebKitGTK gates behind that option even on a cross-origin isolated page; `slot` keeps parallel users' ports apart.
 */
export async function launchWebKit(opts: { sharedMemory?: boolean; slot?: number } = {}): Promise<{ driver: WebDriver; close(): Promise<void> }> {
  const port = 4600 + (opts.slot ?? 0) + (process.pid % 300);
  const child = await startDriver(port, opts.sharedMemory ? { JSC_useSharedArrayBuffer: '1' } : {});
  try {
    const driver = await new Builder().usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } }).build();
    return { driver, close: async () => { await driver.quit().catch(() => {}); stop(child); } };
  } catch (e) {
    stop(child);
    throw e;
  }
}
