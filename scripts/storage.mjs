// Bytes per login record, per session and per refresh, measured on the SQLite file of local
// D1 (`wrangler dev`, fresh state): the figures `docs/scaling.md` builds on.
//
// Four starts of the worker on one persist directory. Between them the worker is stopped
// and the database read with the `sqlite3` command-line shell (`dbstat`: the pages each
// table and each index takes), so each figure is the growth a known number of requests
// caused, indexes included:
//   1. the organization, the application and STORAGE_USERS users (registered);
//   2. STORAGE_LOGINS successful password logins, round-robin over the users, each user
//      from its own address, browser and place, as the edge would report them;
//   3. STORAGE_FAILURES wrong-password logins;
//   4. STORAGE_REFRESHES refreshes.
//
// `node scripts/storage.mjs` (the worker must be built); environment as named above,
// defaults 2000 logins, 20 users, 500 failures, 2000 refreshes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorker } from '../tests/harness.mjs';

const LOGINS = Number(process.env.STORAGE_LOGINS ?? 2000);
const USERS = Number(process.env.STORAGE_USERS ?? 20);
const FAILURES = Number(process.env.STORAGE_FAILURES ?? 500);
const REFRESHES = Number(process.env.STORAGE_REFRESHES ?? 2000);
const PASSWORD = 'correct horse battery staple';
const json = { 'content-type': 'application/json' };

/** Runs `count` async jobs `width` at a time. */
async function pool(count, width, job) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await job(next++);
  }));
}

/** The local D1 database file in a persist directory (the one holding `login_records`). */
function databaseFile(dir) {
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.sqlite')).map((f) => join(dir, String(f)));
  const found = files.filter((f) => sql(f, "SELECT name FROM sqlite_master WHERE name = 'login_records'").length > 0);
  if (found.length !== 1) throw new Error(`expected one D1 database under ${dir}, found ${found.length}`);
  return found[0];
}

function sql(file, query) {
  const r = spawnSync('sqlite3', ['-json', file, query], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

/**
 * Per table: rows, and the bytes of the table's own b-tree and of each of its indexes:
 * `pages` (whole pages, what the file grows by) and `payload` (the cells' bytes).
 */
function snapshot(file) {
  const [{ page_size: pageSize }] = sql(file, 'PRAGMA page_size');
  const [{ page_count: pageCount }] = sql(file, 'PRAGMA page_count');
  const [{ freelist_count: free }] = sql(file, 'PRAGMA freelist_count');
  const owners = new Map(sql(file, "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").map((r) => [r.name, r.tbl_name]));
  const tables = {};
  for (const r of sql(file, 'SELECT name, SUM(pgsize) AS pages, SUM(payload) AS payload FROM dbstat GROUP BY name')) {
    const table = owners.get(r.name) ?? r.name;
    if (table.startsWith('sqlite_') || table.startsWith('_cf_') || table === 'd1_migrations') continue;
    const t = (tables[table] ??= { rows: 0, pages: 0, payload: 0, indexPages: 0, indexPayload: 0, parts: {} });
    if (r.name === table) { t.pages += r.pages; t.payload += r.payload; } else { t.indexPages += r.pages; t.indexPayload += r.payload; }
    t.parts[r.name] = r.pages;
  }
  for (const name of Object.keys(tables)) {
    tables[name].rows = sql(file, `SELECT COUNT(*) AS n FROM "${name}"`)[0].n;
  }
  return { bytes: pageCount * pageSize, free: free * pageSize, pageSize, tables };
}

/** What grew between two snapshots, per table, divided by `per` (the requests made). */
function growth(title, before, after, per) {
  console.log(`\n== ${title}: growth per request (${per} requests)`);
  console.log(`${'table'.padEnd(22)}${'rows'.padStart(8)}${'table B'.padStart(10)}${'index B'.padStart(10)}${'total B'.padStart(10)}${'payload B'.padStart(11)}`);
  let total = 0;
  let payload = 0;
  const rows = {};
  for (const [name, a] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? { rows: 0, pages: 0, payload: 0, indexPages: 0, indexPayload: 0 };
    const d = {
      rows: a.rows - b.rows,
      pages: a.pages - b.pages,
      index: a.indexPages - b.indexPages,
      payload: a.payload + a.indexPayload - b.payload - b.indexPayload,
    };
    if (d.rows === 0 && d.pages === 0 && d.index === 0) continue;
    total += d.pages + d.index;
    payload += d.payload;
    rows[name] = d;
    const f = (x) => (x / per).toFixed(1).padStart(10);
    console.log(`${name.padEnd(22)}${(d.rows / per).toFixed(2).padStart(8)}${f(d.pages)}${f(d.index)}${f(d.pages + d.index)}${(d.payload / per).toFixed(1).padStart(11)}`);
  }
  console.log(`${'all tables'.padEnd(22)}${''.padStart(8)}${''.padStart(10)}${''.padStart(10)}${(total / per).toFixed(1).padStart(10)}${(payload / per).toFixed(1).padStart(11)}`);
  console.log(`database file: ${(before.bytes / 1024).toFixed(0)} KiB -> ${(after.bytes / 1024).toFixed(0)} KiB (${((after.bytes - before.bytes) / per).toFixed(1)} B per request; free pages ${(after.free / 1024).toFixed(0)} KiB)`);
  return rows;
}

/** Per table, bytes per row of what is there (pages of the table and its indexes / rows). */
function perRow(title, snap, names) {
  console.log(`\n== ${title}: bytes per row of the whole table (its pages and its indexes' pages / rows)`);
  for (const name of names) {
    const t = snap.tables[name];
    const parts = Object.entries(t.parts).map(([k, v]) => `${k} ${(v / t.rows).toFixed(0)}`).join(', ');
    console.log(`${name.padEnd(22)} rows ${String(t.rows).padStart(6)}  ${((t.pages + t.indexPages) / t.rows).toFixed(1)} B/row  (${parts})`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'latchkey-storage-'));
try {
  // 1. Setup.
  let w = await startWorker({ persistDir: dir });
  // wrangler dev's local proxy now and then answers one of several concurrent requests
  // with a 503 of its own (see tests/lib.mjs): sent again. Such a request may have been
  // processed too, which the "rows" column would show (above 1.00 per request).
  const call = async (method, path, body, headers = {}) => {
    for (let tries = 1; ; tries++) {
      const res = await fetch(`${w.baseUrl}${path}`, { method, body: body && JSON.stringify(body), headers: { ...json, ...headers } });
      const text = await res.text();
      if (res.status === 503 && text.startsWith('Your worker restarted') && tries < 5) {
        await new Promise((r) => setTimeout(r, 250 * tries));
        continue;
      }
      return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text };
    }
  };
  const ok = (r, what) => { if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`); return r.body; };
  let org, app;
  const emails = Array.from({ length: USERS }, (_, i) => `storage-user-${String(i).padStart(4, '0')}@example.com`);
  // Each user signs in from one place with one browser, as most logins are; what the edge
  // reports (address, user agent, country, region, city, time zone, ASN, coordinates).
  const client = (i) => ({
    'cf-connecting-ip': `203.0.113.${(i % 250) + 1}`,
    'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'x-latchkey-dev-geo': 'country=FR;region=Île-de-France;city=Paris;tz=Europe/Paris;asn=3215;lat=48.8566;lon=2.3522',
  });
  try {
    org = ok(await call('POST', '/api/v1/organizations', { name: 'storage' }, { authorization: `Bearer ${w.platformKey}` }), 'organization');
    const admin = { authorization: `Bearer ${org.api_key.key}` };
    // Wrong passwords below must be recorded as such, not refused as a lockout.
    ok(await call('PUT', `/api/v1/organizations/${org.organization.id}`, {
      attack_protection: {
        ip_failures: 100, delay_after: 100, account_failures: 100, lock_minutes: 1,
        address_failures_per_hour: 100_000, breached_password_at_login: 'flag',
      },
    }, admin), 'attack protection');
    app = ok(await call('POST', '/api/v1/applications', { name: 'storage' }, admin), 'application');
    await pool(USERS, 4, async (i) => {
      const user = ok(await call('POST', '/api/v1/users', { email: emails[i], password: PASSWORD }, admin), 'user');
      ok(await call('PUT', `/api/v1/users/${user.id}/registrations/${app.id}`, undefined, admin), 'registration');
    });
  } finally {
    await w.stop();
  }
  const file = databaseFile(dir);
  const s0 = snapshot(file);

  // 2. Successful logins.
  const tokens = [];
  w = await startWorker({ persistDir: dir });
  try {
    const t0 = performance.now();
    await pool(LOGINS, 4, async (i) => {
      const u = i % USERS;
      const r = ok(await call('POST', '/api/v1/auth/login', { client_id: app.client_id, login_id: emails[u], password: PASSWORD }, client(u)), 'login');
      if (tokens.length < 4) tokens.push(r.refresh_token);
    });
    console.log(`${LOGINS} logins of ${USERS} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await w.stop();
  }
  const s1 = snapshot(file);

  // 3. Failed logins.
  w = await startWorker({ persistDir: dir });
  try {
    await pool(FAILURES, 4, async (i) => {
      const u = i % USERS;
      const r = await call('POST', '/api/v1/auth/login', { client_id: app.client_id, login_id: emails[u], password: 'wrong horse battery staple' }, client(u));
      if (r.status !== 401) throw new Error(`failure: ${r.status} ${JSON.stringify(r.body)}`);
    });
  } finally {
    await w.stop();
  }
  const s2 = snapshot(file);

  // 4. Refreshes: four chains of rotations, as four devices that stay signed in.
  w = await startWorker({ persistDir: dir });
  try {
    await pool(tokens.length, tokens.length, async (k) => {
      for (let i = k; i < REFRESHES; i += tokens.length) {
        const r = ok(await call('POST', '/api/v1/auth/refresh', { refresh_token: tokens[k] }, client(k)), 'refresh');
        tokens[k] = r.refresh_token;
      }
    });
  } finally {
    await w.stop();
  }
  const s3 = snapshot(file);

  console.log(`page size ${s0.pageSize} B; "table B" and "index B" count whole pages (what the file grows by), "payload B" the bytes of the cells in them`);
  growth(`${LOGINS} successful password logins`, s0, s1, LOGINS);
  growth(`${FAILURES} failed password logins (wrong password, known user)`, s1, s2, FAILURES);
  growth(`${REFRESHES} refreshes`, s2, s3, REFRESHES);
  perRow('after everything', s3, ['login_records', 'sessions', 'refresh_tokens']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
