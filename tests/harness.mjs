// Starts and stops a real `wrangler dev` (workerd, local D1 and KV) for the end-to-end tests
// and the benchmarks: a free port, fresh state in a new --persist-to directory, migrations
// applied, a fresh signing key.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSigningKey, newPlatformKey } from '../scripts/dev-secrets.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts wrangler dev; resolves once /healthz answers 200. */
export async function startWorker({ timeoutMs = 180_000, log = false } = {}) {
  const persistDir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  const migrate = spawnSync(
    WRANGLER,
    ['d1', 'migrations', 'apply', 'latchkey', '--local', '--persist-to', persistDir],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  if (migrate.status !== 0) {
    rmSync(persistDir, { recursive: true, force: true });
    throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }

  const port = await freePort();
  const platformKey = newPlatformKey();
  const started = performance.now();
  const child = spawn(
    WRANGLER,
    [
      'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir,
      '--show-interactive-dev-session=false', '--var', `SIGNING_KEY:${newSigningKey()}`,
      '--var', `PLATFORM_ADMIN_KEY:${platformKey}`,
    ],
    { cwd: ROOT, env: { ...process.env, CI: 'true' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    if (log) process.stderr.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = null;
  child.on('exit', (code) => { exited = code ?? -1; });

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    rmSync(persistDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${exited}:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /healthz within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }
  return { baseUrl, port, platformKey, stop, startupMs: performance.now() - started, output: () => output };
}
