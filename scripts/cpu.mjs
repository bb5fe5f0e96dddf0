// CPU time spent by the processes of a group (Linux /proc), by program: what the server side
// spent on a run of requests, which wall-clock rates on a shared machine hide in noise.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** Milliseconds of CPU (user + system) so far, per program name, of processes in `group`. */
export function groupCpu(group) {
  const byProgram = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    // "pid (comm) state ppid pgrp ... utime stime": comm may hold spaces, so split after ")".
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    if (Number(f[2]) !== group) continue;
    byProgram[comm] = (byProgram[comm] ?? 0) + ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
  }
  return byProgram;
}

/** Runs `f` `n` times one after another; CPU ms per call by program, and wall ms per call. */
export async function cpuPerCall(group, n, f) {
  const before = groupCpu(group);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  const wall = (performance.now() - t0) / n;
  const after = groupCpu(group);
  const cpu = {};
  for (const [program, ms] of Object.entries(after)) cpu[program] = (ms - (before[program] ?? 0)) / n;
  return { cpu, wall };
}

/**
 * Seeds an organization, an application and a user on a started worker, and returns the
 * requests to measure as [name, count, f(i)]: `n` sets the counts (a hash-bound request `n`
 * times, the cheap ones 2n or 4n). `f(i)` must get a new `i` each call (fresh emails).
 */
export async function cpuRoutes(w, n) {
  const post = (path, body, headers = {}) => fetch(`${w.baseUrl}${path}`, {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers },
  });
  const must = async (res, status, what) => {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
  const org = await must(await post('/api/v1/organizations', { name: 'bench-cpu' }, { authorization: `Bearer ${w.platformKey}` }), 201, 'organization');
  const auth = { authorization: `Bearer ${org.api_key.key}` };
  const app = await must(await post('/api/v1/applications', { name: 'web', login_methods: ['password'], allowed_origins: [w.baseUrl] }, auth), 201, 'application');
  const password = 'correct horse battery staple';
  const user = await must(await post('/api/v1/users', { email: 'cpu@example.com', password }, auth), 201, 'user');
  await must(await fetch(`${w.baseUrl}/api/v1/users/${user.id}/registrations/${app.id}`, { method: 'PUT', headers: auth }), 204, 'registration');
  const login = async () => must(await post('/api/v1/auth/login', { client_id: app.client_id, login_id: 'cpu@example.com', password }), 200, 'login');
  let session = await login();
  const runs = [
    ['GET /healthz (a D1 and a KV read)', 4 * n, async () => must(await fetch(`${w.baseUrl}/healthz`), 200, 'healthz')],
    ['create user, no password', 2 * n, async (i) => must(await post('/api/v1/users', { email: `plain-${i}@example.com` }, auth), 201, 'create')],
    ['create user with password (1 hash)', n, async (i) => must(await post('/api/v1/users', { email: `hashed-${i}@example.com`, password }, auth), 201, 'create')],
    ['password login', n, async () => { session = await login(); }],
    ['refresh', 4 * n, async () => { session = await must(await post('/api/v1/auth/refresh', { refresh_token: session.refresh_token }), 200, 'refresh'); }],
    ['GET /auth/me', 4 * n, async () => must(await fetch(`${w.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${session.access_token}` } }), 200, 'me')],
  ];
  return runs;
}
