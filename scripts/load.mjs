// `make load`: a load test of password login and refresh under `wrangler dev` (workerd, local
// D1 and KV; fresh state), with npm autocannon, beside the argon2id hash rate of the same
// runtime measured in the same run. The figure that matters is logins/s ÷ hashes/s: a login
// is one argon2id verification plus everything else, and the target is that everything else
// costs at most a tenth (logins at 90% or more of the hash rate).
//
// There is no route that runs a bare hash; as `scripts/bench.mjs` does, the hash is user
// creation with a password (one argon2id hash) minus user creation without one, here as
// throughputs: seconds per hash = 1/(creations/s with) − 1/(creations/s without). That holds
// while one isolate serves the requests one CPU slice at a time, as `wrangler dev` does.
//
// Environment: LOAD_SECONDS (each run, default 10), LOAD_CONCURRENCY (default 1,2,4),
// LOAD_USERS (users logging in round-robin, default 64), LOAD_BREACHED_AT_LOGIN (the
// organization's `breached_password_at_login`: default `flag`, the default of a new
// organization, which asks the Pwned Passwords stand-in on loopback at every login; `off`
// leaves that request out), BENCH_BUILD (another build of the edge Worker, a copy of a
// `make worker` output, to load in place of worker/build: before and after on one machine).
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { benchBuild, startWorker } from '../tests/harness.mjs';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const LEVELS = (process.env.LOAD_CONCURRENCY ?? '1,2,4').split(',').map(Number).filter((n) => n > 0);
const USERS = Number(process.env.LOAD_USERS ?? 64);
const BREACHED_AT_LOGIN = process.env.LOAD_BREACHED_AT_LOGIN ?? 'flag';
const PASSWORD = 'correct horse battery staple';
const json = { 'content-type': 'application/json' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (USERS <= Math.max(...LEVELS)) throw new Error('LOAD_USERS must exceed the highest concurrency');

/** Runs `count` async jobs `width` at a time. */
async function pool(count, width, job) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await job(next++);
  }));
}

/**
 * One autocannon run of `connections` connections for SECONDS. `request` is autocannon's
 * request object (`setupRequest`/`onResponse` allowed); non-2xx answers are kept (status and
 * the start of the body) so they can be printed.
 */
async function run(baseUrl, connections, request) {
  const failures = new Map();
  const { onResponse } = request;
  const result = await autocannon({
    url: baseUrl,
    connections,
    pipelining: 1,
    duration: SECONDS,
    timeout: 30,
    requests: [{
      ...request,
      onResponse(status, body, context, headers) {
        if (status < 200 || status > 299) {
          // Grouped by status and error code (the request id differs every time).
          const key = `${status} ${String(body).replace(/"request_id":"[^"]*"/, '').slice(0, 160)}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
        onResponse?.(status, body, context, headers);
      },
    }],
  });
  // Requests still in flight when the run stopped finish on the server; let them.
  await sleep(500);
  const ok = result['2xx'];
  return {
    rate: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    failures,
  };
}

const w = await startWorker(benchBuild());
const rows = [];
try {
  const api = async (method, path, body, headers = {}) => {
    const res = await fetch(`${w.baseUrl}${path}`, { method, body: body && JSON.stringify(body), headers: { ...json, ...headers } });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const org = await api('POST', '/api/v1/organizations', { name: 'load' }, { authorization: `Bearer ${w.platformKey}` });
  const key = org.api_key.key;
  const admin = { authorization: `Bearer ${key}` };
  // Every request comes from 127.0.0.1. Successes clear the brute-force counters and each
  // login in flight is a different user, so the defaults would not lock anything either;
  // the limits are raised only so that a stray failure (a proxy restart) cannot turn into
  // refusals that would distort the rates. The work per login is the same.
  await api('PUT', `/api/v1/organizations/${org.organization.id}`, {
    attack_protection: {
      ip_failures: 100, delay_after: 100, account_failures: 100, lock_minutes: 1,
      address_failures_per_hour: 100_000, breached_password_at_login: BREACHED_AT_LOGIN,
    },
  }, admin);
  const app = await api('POST', '/api/v1/applications', { name: 'load' }, admin);

  // Users, registered for the application, each signed in once (a user's first login
  // differs: no earlier device or place), which also mints the refresh tokens.
  const t0 = performance.now();
  const emails = Array.from({ length: USERS }, (_, i) => `load-${i}@example.com`);
  let tokens = [];
  let signedIn = 0;
  const signIn = async () => {
    const t = await api('POST', '/api/v1/auth/login', { client_id: app.client_id, login_id: emails[signedIn++ % USERS], password: PASSWORD });
    tokens.push(t.refresh_token);
  };
  await pool(USERS, 4, async (i) => {
    const user = await api('POST', '/api/v1/users', { email: emails[i], password: PASSWORD }, admin);
    await api('PUT', `/api/v1/users/${user.id}/registrations/${app.id}`, undefined, admin);
  });
  await pool(USERS, 4, signIn);
  console.log(`== load test: wrangler dev (workerd, local D1), ${SECONDS} s per run, ${USERS} users, concurrency ${LEVELS.join(', ')}, breached_password_at_login ${BREACHED_AT_LOGIN}`);
  console.log(`seeded ${USERS} users (created, registered, signed in once) in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`${'conc'.padEnd(5)}${'what'.padEnd(40)}${'req/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}`);

  let created = 0;
  const createUser = (withPassword) => ({
    method: 'POST',
    path: '/api/v1/users',
    headers: { ...json, ...admin },
    setupRequest: (req) => {
      const body = { email: `hash-${created++}@example.com` };
      if (withPassword) body.password = PASSWORD;
      return { ...req, body: JSON.stringify(body) };
    },
  });
  let nextUser = 0;
  const login = {
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: json,
    setupRequest: (req) => {
      const loginId = emails[nextUser++ % USERS];
      return { ...req, body: JSON.stringify({ client_id: app.client_id, login_id: loginId, password: PASSWORD }) };
    },
  };

  for (const c of LEVELS) {
    const show = (what, r) => {
      console.log(`${String(c).padEnd(5)}${what.padEnd(40)}${r.rate.toFixed(1).padStart(8)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${String(r.non2xx).padStart(9)}${String(r.errors + r.timeouts).padStart(8)}`);
      for (const [k, n] of r.failures) console.log(`       ${n} x ${k}`);
    };
    const withPw = await run(w.baseUrl, c, createUser(true));
    show('create user with password (1 hash)', withPw);
    const without = await run(w.baseUrl, c, createUser(false));
    show('create user without password', without);
    const hashMs = 1000 * (1 / withPw.rate - 1 / without.rate);
    const hashes = 1000 / hashMs;
    console.log(`${String(c).padEnd(5)}${'=> argon2id hash (difference)'.padEnd(40)}${hashes.toFixed(1).padStart(8)}   (${hashMs.toFixed(1)} ms per hash)`);

    const logins = await run(w.baseUrl, c, login);
    show('login (POST /auth/login, round-robin)', logins);
    // The request's floor under `wrangler dev`: its proxy and middleware, workerd, and
    // /healthz's one D1 count and one KV read. A login pays it on top of its hash and its own
    // work; the hash, a difference of two requests, does not.
    const floor = await run(w.baseUrl, c, { method: 'GET', path: '/healthz' });
    show('GET /healthz (the request floor)', floor);

    // Refresh tokens are single-use and rotate: the tokens live in one queue; each request
    // takes one and its answer puts the new one back, so with c connections c chains run
    // side by side and no token is presented twice. The spares replace a chain whose
    // request was cut off (a run's end, a dropped connection).
    const queued = c + 8;
    if (tokens.length < queued) await pool(queued - tokens.length, 4, signIn);
    const live = tokens;
    tokens = live.splice(queued);
    const refresh = {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      headers: json,
      setupRequest: (req) => {
        // None left (every chain cut off): a token that fails, counted as non-2xx.
        const token = live.shift() ?? 'no-unspent-token-left';
        return { ...req, body: JSON.stringify({ refresh_token: token }) };
      },
      onResponse: (status, body) => {
        if (status === 200) live.push(JSON.parse(body).refresh_token);
      },
    };
    const refreshes = await run(w.baseUrl, c, refresh);
    show('refresh (POST /auth/refresh, chained)', refreshes);
    rows.push({ c, logins: logins.rate, hashes, hashMs, floorMs: 1000 / floor.rate, refreshes: refreshes.rate });
  }

  console.log(`\n== logins/s ÷ argon2id hashes/s (same runtime, same run); target 90% or more; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  // "beside floor": the hash's share of a login once the request floor is taken out of the
  // login's time (ms per login − ms per /healthz at the same concurrency): the login's own
  // work beside its hash, apart from what every request costs under `wrangler dev`.
  console.log(`${'conc'.padEnd(5)}${'logins/s'.padStart(10)}${'hashes/s'.padStart(10)}${'ms/hash'.padStart(9)}${'ratio'.padStart(8)}  target    ${'refreshes/s'.padStart(11)}${'ms/floor'.padStart(10)}${'beside floor'.padStart(14)}`);
  for (const r of rows) {
    const ratio = r.logins / r.hashes;
    const beside = r.hashMs / (1000 / r.logins - r.floorMs);
    console.log(`${String(r.c).padEnd(5)}${r.logins.toFixed(1).padStart(10)}${r.hashes.toFixed(1).padStart(10)}${r.hashMs.toFixed(1).padStart(9)}${`${(100 * ratio).toFixed(0)}%`.padStart(8)}  ${ratio >= 0.9 ? 'met    ' : 'not met'}   ${r.refreshes.toFixed(1).padStart(11)}${r.floorMs.toFixed(1).padStart(10)}${`${(100 * beside).toFixed(0)}%`.padStart(14)}`);
  }
} finally {
  await w.stop();
}
