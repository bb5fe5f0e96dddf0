// Runs the end-to-end suite: starts one wrangler dev, runs every tests/*.test.mjs with
// Node's test runner against it, and stops it afterwards, whatever the outcome.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, ROOT } from './harness.mjs';

// `node tests/run.mjs records auth` runs only the files whose names contain those words.
const only = process.argv.slice(2);
const files = readdirSync(join(ROOT, 'tests'))
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => only.length === 0 || only.some((w) => f.includes(w)))
  .sort()
  .map((f) => join('tests', f));

const worker = await startWorker({ log: !!process.env.E2E_VERBOSE });
console.log(`e2e: wrangler dev ready at ${worker.baseUrl} in ${Math.round(worker.startupMs)} ms`);

let code = 1;
const cleanup = async () => { await worker.stop(); };
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { await cleanup(); process.exit(130); });
}
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        LATCHKEY_BASE_URL: worker.baseUrl,
        LATCHKEY_PLATFORM_KEY: worker.platformKey,
        // Tamper-evidence tests edit local D1 directly, as an attacker with database access.
        LATCHKEY_PERSIST_DIR: worker.persistDir,
        // The local stand-in for the outside services (tests/harness.mjs's rangeServer).
        LATCHKEY_STANDIN_URL: worker.standinUrl,
        // wrangler dev's output, where the send_email simulation says what it wrote.
        LATCHKEY_WORKER_LOG: worker.logFile,
      },
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
} finally {
  if (code !== 0) console.error(`e2e: failed; wrangler dev output:\n${worker.output().slice(-8000)}`);
  await cleanup();
}
process.exit(code);
