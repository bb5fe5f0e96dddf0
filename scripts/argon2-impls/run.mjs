// The argon2id implementations available in Rust at Latchkey's parameters, natively and in
// workerd (the Workers runtime, under `wrangler dev`), on this machine in one run: whether the
// wasm hash can come within 1.5x of native (docs/scaling.md, 7).
//
// Usage: node scripts/argon2-impls/run.mjs. Builds this crate natively and for wasm32 (its
// own target/), prints the native times, then workerd's CPU per hash from /proc (as
// scripts/cpu.mjs measures requests: alternating blocks, minus a request that hashes nothing),
// then the native times again.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuPerCall } from '../cpu.mjs';
import { freePort, ROOT } from '../../tests/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ARGON2_ROUNDS ?? 6);
const PER_ROUND = Number(process.env.ARGON2_PER_ROUND ?? 20);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cargo(args) {
  const r = spawnSync('cargo', args, { cwd: HERE, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`cargo ${args.join(' ')} failed`);
}
cargo(['build', '-q', '--release']);
cargo(['build', '-q', '--release', '--lib', '--target', 'wasm32-unknown-unknown']);
const native = () => {
  const r = spawnSync(join(HERE, 'target/release/argon2-impls'), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  process.stdout.write(r.stdout);
};

console.log('== argon2id (m=19456 KiB, t=2, p=1) by implementation, natively and in workerd');
native();
const port = await freePort();
const child = spawn(join(ROOT, 'node_modules/.bin/wrangler'),
  ['dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false'],
  { cwd: join(HERE, 'worker'), detached: true, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
const base = `http://127.0.0.1:${port}`;
const get = async (path) => {
  const res = await fetch(base + path);
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text;
};
try {
  for (let i = 0; ; i++) {
    try { await get('/noop'); break; } catch (e) { if (i > 1200) throw e; }
    await sleep(100);
  }
  const paths = ['/noop', '/rustcrypto', '/rustcrypto-kept', '/rust-argon2'];
  const tags = new Set();
  for (const p of paths.slice(1)) for (let i = 0; i < 3; i++) tags.add(await get(p)); // warm-up
  if (tags.size !== 1) throw new Error('the implementations disagree in workerd');
  const cpu = Object.fromEntries(paths.map((p) => [p, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of round % 2 ? [...paths].reverse() : paths) {
      const n = p === '/noop' ? 2 * PER_ROUND : PER_ROUND;
      cpu[p].push((await cpuPerCall(child.pid, n, () => get(p))).cpu.workerd ?? 0);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const floor = median(cpu['/noop']);
  for (const p of paths.slice(1)) {
    const name = { '/rustcrypto': 'RustCrypto argon2', '/rustcrypto-kept': 'RustCrypto argon2, memory kept', '/rust-argon2': 'rust-argon2' }[p];
    console.log(`workerd  ${name.padEnd(32)} min ${(Math.min(...cpu[p]) - floor).toFixed(1).padStart(6)} ms  median ${(median(cpu[p]) - floor).toFixed(1).padStart(6)} ms  (CPU per request minus /noop's ${floor.toFixed(1)} ms; ${ROUNDS} rounds of ${PER_ROUND})`);
  }
} finally {
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
}
native();
