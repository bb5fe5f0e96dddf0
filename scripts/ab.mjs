// Two worker builds side by side: CPU per request of each, measured in alternating blocks so
// that both see the same machine. On this shared machine a build's CPU per request drifts by
// a third between runs; alternating blocks of a few requests cancels that drift out.
//
// Usage: node scripts/ab.mjs <build dir A> <build dir B>, each a copy of a `make worker`
// output (worker/build). Environment: AB_ROUNDS (default 6), AB_N (the requests per round for
// a hash-bound route; cheap routes run 2 or 4 times as many: default 10).
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { startWorker } from '../tests/harness.mjs';
import { cpuPerCall, cpuRoutes } from './cpu.mjs';

const dirs = process.argv.slice(2, 4);
if (dirs.length !== 2 || !dirs.every((d) => existsSync(resolve(d, 'index.js')))) {
  console.error('usage: node scripts/ab.mjs <build dir A> <build dir B> (copies of worker/build)');
  process.exit(2);
}
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const N = Number(process.env.AB_N ?? 10);

const workers = [];
try {
  for (const d of dirs) workers.push(await startWorker({ script: resolve(d, 'index.js') }));
  const routes = await Promise.all(workers.map((w) => cpuRoutes(w, N)));
  const offsets = [0, 0];
  const totals = routes.map((rs) => rs.map(() => ({ cpu: 0, n: 0 })));
  // Round 0 warms both (compilation and tier-up run on other threads); it is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (let r = 0; r < routes[0].length; r++) {
      // A then B, then B then A: neither always goes first.
      const order = (round + r) % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const [, count, f] = routes[k][r];
        const { cpu } = await cpuPerCall(workers[k].processGroup, count, (i) => f(offsets[k] + i));
        offsets[k] += count;
        if (round > 0) { totals[k][r].cpu += (cpu.workerd ?? 0) * count; totals[k][r].n += count; }
      }
    }
  }
  console.log(`== workerd CPU ms per request, ${ROUNDS} alternating rounds\nA: ${dirs[0]}\nB: ${dirs[1]}`);
  console.log(`${'request'.padEnd(36)}       A        B    B/A`);
  routes[0].forEach(([name], r) => {
    const [a, b] = [0, 1].map((k) => totals[k][r].cpu / totals[k][r].n);
    console.log(`${name.padEnd(36)} ${a.toFixed(2).padStart(7)}  ${b.toFixed(2).padStart(7)}  ${(b / a).toFixed(3)}`);
  });
} finally {
  for (const w of workers) await w.stop();
}
