// Small fixture library for the end-to-end tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

export const BASE = process.env.LATCHKEY_BASE_URL;
if (!BASE) throw new Error('LATCHKEY_BASE_URL is unset: run the suite with `make test-e2e`');

/** Latchkey's version, from the workspace manifest. */
export const VERSION = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "(.+)"$/m)[1];

/** fetch against the worker; returns { status, headers, body (parsed JSON or text) }. */
/** The local proxy's answer to a request it dropped (see `call`). */
export const PROXY_DROPPED = 'Your worker restarted mid-request';

export async function call(method, path, { body, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers } };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  // wrangler dev's local proxy now and then answers a request among concurrent ones with
  // this 503 of its own (workers-sdk#14641; production has no such proxy): such a request
  // is sent again, a little later each time. Tests that count what the worker did (records,
  // single winners) still see a request the worker processed twice.
  let res;
  let text;
  for (let tries = 1; ; tries += 1) {
    res = await fetch(BASE + path, init);
    text = await res.text();
    if (tries === 5 || res.status !== 503 || !text.startsWith(PROXY_DROPPED)) break;
    await new Promise((done) => setTimeout(done, 250 * tries));
  }
  let parsed = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Asserts the common error shape, and that the body's request id matches the header's. */
export function assertError(res, status, code, context = '') {
  assert.equal(res.status, status, `${context} status for ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body, 'object', 'error body is JSON');
  assert.deepEqual(Object.keys(res.body).sort(), ['error_code', 'error_msg', 'request_id']);
  assert.equal(res.body.error_code, code, context);
  assert.ok(res.body.error_msg.length > 0);
  assert.equal(res.body.request_id, res.headers.get('x-request-id'));
}

/** The platform operator's key of this test server. */
export const PLATFORM_KEY = process.env.LATCHKEY_PLATFORM_KEY;

export const bearer = (key) => ({ authorization: `Bearer ${key}` });

let orgCounter = 0;
/**
 * Creates an organization through the API; returns it with its key and a caller bound to it.
 * `api(method, path, body)` sends JSON with the organization's key.
 */
export async function newOrg(name = `org-${++orgCounter}-${Date.now()}`, extra = {}) {
  const res = await call('POST', '/api/v1/organizations', { body: { name, ...extra }, headers: bearer(PLATFORM_KEY) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const key = res.body.api_key.key;
  const api = (method, path, body) => call(method, path, { body, headers: bearer(key) });
  return { org: res.body.organization, key, apiKey: res.body.api_key, api };
}

/** A unique email for this run. */
export const email = (tag = 'user') => `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e9)}@example.com`;

/**
 * Registers user `user` (a created user's body) of organization `o` for application `app`,
 * as native logins require; returns the user.
 */
export async function registered(o, app, user) {
  const res = await o.api('PUT', `/api/v1/users/${user.id}/registrations/${app.id}`);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  return user;
}

/**
 * Runs `sql` on the test server's local D1 directly; answers the rows it selects. The
 * running wrangler dev sometimes drops its next connection after such an outside write
 * (seen in full suite runs: `fetch failed` on the request right after), so this returns
 * only once the server answers /healthz again.
 */
export async function sqlDirect(sql) {
  const run = spawnSync(join(ROOT, 'node_modules/.bin/wrangler'), ['d1', 'execute', 'latchkey', '--local', '--json',
    '--persist-to', process.env.LATCHKEY_PERSIST_DIR, '--config', join(ROOT, 'wrangler.e2e.toml'), '--command', sql],
  { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(run.status, 0, run.stderr);
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).status === 200) break;
    } catch (e) {
      if (tries >= 100) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(run.stdout)[0]?.results ?? [];
}

/** Runs `sql` on the test server's local D1 directly, as an attacker with database access. */
export const sqlAsAttacker = async (sql) => { await sqlDirect(sql); };

/** Opens a zip with Python's zipfile (an independent reader) and returns {name: text}. */
export function unzip(bytes) {
  const r = spawnSync('python3', ['-c', `
import io, json, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
assert z.testzip() is None
print(json.dumps({i.filename: z.read(i).decode("utf-8") for i in z.infolist()}))
`], { input: Buffer.from(bytes), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r') { /* part of \r\n */ } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  return rows;
}

/** The newest message the development outbox holds for `to`, waiting for delivery. */
export async function outboxMessage(to, { after = 0, timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('GET', `/api/v1/dev/outbox?to=${encodeURIComponent(to)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const m = res.body.messages.find((x) => x.id > after);
    if (m) return m;
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The last outbox id for `to` so far (0 if none). */
export async function lastId(to) {
  const res = await call('GET', `/api/v1/dev/outbox?to=${encodeURIComponent(to)}`);
  return res.body.messages[0]?.id ?? 0;
}
